package auditlog

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gofrs/flock"

	"riskgraph/store/durable"
	"riskgraph/store/frame"
)

// FileReport is what Check found in one segment file.
type FileReport struct {
	File    string `json:"file"`
	Records int    `json:"records"`
	Entries int    `json:"entries"`
	// Damaged lists the byte ranges that do not verify; for a compressed
	// segment the offsets are in its uncompressed stream.
	Damaged []frame.Region `json:"damaged,omitempty"`
	// Torn: the only damage is a last record cut short by a crash in the
	// active segment, which Open drops by itself.
	Torn bool `json:"torn,omitempty"`
}

// Clean reports whether the file verified from start to end.
func (r FileReport) Clean() bool { return len(r.Damaged) == 0 }

// Check verifies every segment in dir and reports each file, in name
// order. It only reads; it may run while a server writes the log (the
// active segment's last record may then show as torn).
func Check(dir string) ([]FileReport, error) {
	names, err := segmentFiles(dir)
	if err != nil {
		return nil, err
	}
	var out []FileReport
	for _, name := range names {
		r, _, err := checkFile(filepath.Join(dir, name), false)
		if err != nil {
			return out, err
		}
		r.File = name
		r.Torn = r.Torn && strings.HasSuffix(name, ".open")
		out = append(out, r)
	}
	return out, nil
}

// Repair rewrites every damaged segment in dir from the records that
// verify, keeping the damaged file beside it as <name>.damaged, and
// returns what it found (as Check). It takes the log's lock: it refuses
// while a server has the log open.
func Repair(dir string) ([]FileReport, error) {
	lk := flock.New(filepath.Join(dir, LockFile))
	ok, err := lk.TryLock()
	if err != nil {
		return nil, fmt.Errorf("audit log %s: lock: %w", dir, err)
	}
	if !ok {
		return nil, fmt.Errorf("audit log %s is in use by a running riskgraph: stop it before repairing", dir)
	}
	defer lk.Unlock()
	names, err := segmentFiles(dir)
	if err != nil {
		return nil, err
	}
	var out []FileReport
	for _, name := range names {
		path := filepath.Join(dir, name)
		r, good, err := checkFile(path, true)
		if err != nil {
			return out, err
		}
		r.File = name
		out = append(out, r)
		if r.Clean() {
			continue
		}
		kept := path + ".damaged"
		for n := 2; ; n++ { // never over an earlier repair's copy
			if _, err := os.Lstat(kept); errors.Is(err, os.ErrNotExist) {
				break
			}
			kept = fmt.Sprintf("%s.damaged-%d", path, n)
		}
		if err := os.Rename(path, kept); err != nil {
			return out, err
		}
		if err := writeFile(path, good, strings.HasSuffix(name, ".gz")); err != nil {
			return out, fmt.Errorf("audit log: rewrite %s: %w (the original is %s)", path, err, kept)
		}
	}
	return out, durable.SyncDir(dir)
}

func segmentFiles(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	var names []string
	for _, e := range ents {
		n := e.Name()
		if strings.HasSuffix(n, ".open") || strings.HasSuffix(n, ".seg") || strings.HasSuffix(n, ".seg.gz") {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names, nil
}

// checkFile scans one file; with keep it also returns the verified records
// framed again, in order.
func checkFile(path string, keep bool) (FileReport, []byte, error) {
	var r FileReport
	raw, err := os.ReadFile(path)
	if err != nil {
		return r, nil, fmt.Errorf("audit log: %w", err)
	}
	var gzErr error
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			r.Damaged = append(r.Damaged, frame.Region{Offset: 0, End: 0, Reason: "gzip: " + err.Error()})
			return r, nil, nil
		}
		raw, gzErr = io.ReadAll(zr)
		if errors.Is(gzErr, io.EOF) {
			gzErr = nil
		}
	}
	var good []byte
	res, err := frame.Scan(bytes.NewReader(raw), int64(len(raw)), func(_ int64, p []byte) error {
		var rec record
		if json.Unmarshal(p, &rec) == nil {
			r.Entries += len(rec.Entries)
		}
		if keep {
			good, _ = frame.Append(good, p)
		}
		return nil
	})
	if err != nil {
		return r, nil, err
	}
	r.Records, r.Damaged, r.Torn = res.Records, res.Damaged, res.Torn
	if gzErr != nil {
		n := int64(len(raw))
		r.Damaged = append(r.Damaged, frame.Region{Offset: n, End: n, Reason: "gzip stream ends badly: " + gzErr.Error()})
		r.Torn = false
	}
	return r, good, nil
}

func writeFile(path string, data []byte, gz bool) error {
	return durable.Replace(path, func(w io.Writer) error {
		if !gz {
			_, err := w.Write(data)
			return err
		}
		zw := gzip.NewWriter(w)
		if _, err := zw.Write(data); err != nil {
			return err
		}
		return zw.Close()
	})
}
