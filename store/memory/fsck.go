package memory

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"riskgraph/store/durable"
	"riskgraph/store/frame"
)

// FileCheck is what a check of one framed file found.
type FileCheck struct {
	Path    string `json:"path"`
	Size    int64  `json:"size"`
	Records int    `json:"records"` // records that verify and decode
	// Damaged lists every region that does not verify, and every record
	// that verifies but does not decode (reason "does not decode: …").
	Damaged []frame.Region `json:"damaged,omitempty"`
	// Torn: the only damage is a torn tail, which an open drops by itself.
	Torn bool `json:"torn,omitempty"`
	// Backup and Dropped are set by a repair: where the damaged file was
	// copied, and how many bytes the rebuilt file no longer holds.
	Backup  string `json:"backup,omitempty"`
	Dropped int64  `json:"dropped,omitempty"`
}

// Clean reports whether the file verified from start to end.
func (c FileCheck) Clean() bool { return len(c.Damaged) == 0 }

// Corrupt reports damage that an open refuses (anything but a torn tail).
func (c FileCheck) Corrupt() bool { return len(c.Damaged) > 0 && !c.Torn }

// CheckJournal reads the journal in dir without changing it and reports
// every damaged region. A journal that does not exist is clean.
func CheckJournal(dir string) (FileCheck, error) {
	c, _, err := checkJournal(filepath.Join(dir, JournalFile), nil)
	return c, err
}

// checkJournal scans path, passing each good record to keep when set.
func checkJournal(path string, keep func([]byte) error) (FileCheck, bool, error) {
	c := FileCheck{Path: path}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, false, nil
	}
	if err != nil {
		return c, false, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return c, false, err
	}
	c.Size = st.Size()
	var undecodable []frame.Region
	res, err := frame.Scan(f, c.Size, func(off int64, p []byte) error {
		var e entry
		if err := json.Unmarshal(p, &e); err != nil {
			undecodable = append(undecodable, frame.Region{Offset: off, End: off + frame.HeaderSize + int64(len(p)),
				Reason: "verifies but does not decode: " + err.Error()})
			return nil
		}
		c.Records++
		if keep != nil {
			return keep(p)
		}
		return nil
	})
	if err != nil {
		return c, false, fmt.Errorf("%s: %w", path, err)
	}
	c.Damaged = mergeRegions(res.Damaged, undecodable)
	c.Torn = res.Torn && len(undecodable) == 0
	return c, true, nil
}

// mergeRegions merges two lists of regions, each in file order.
func mergeRegions(a, b []frame.Region) []frame.Region {
	out := make([]frame.Region, 0, len(a)+len(b))
	for len(a) > 0 || len(b) > 0 {
		if len(b) == 0 || (len(a) > 0 && a[0].Offset < b[0].Offset) {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return out
}

// RepairJournal rebuilds a damaged journal in dir from every record that
// verifies and decodes: the damaged file is first copied beside it (its
// name plus ".damaged-<UTC time>"), the new journal is written to a
// temporary file, fsynced and renamed over the old one. A clean journal is
// left alone. It takes the data dir's lock: a *LockedError while another
// process (serve) holds it.
func RepairJournal(dir string, now time.Time) (FileCheck, error) {
	path := filepath.Join(dir, JournalFile)
	lock, err := lockDir(dir, "fsck --repair")
	if err != nil {
		return FileCheck{Path: path}, err
	}
	defer lock.unlock()
	c, exists, err := checkJournal(path, nil)
	if err != nil || !exists || c.Clean() {
		return c, err
	}
	c.Backup = path + ".damaged-" + now.UTC().Format("20060102T150405Z")
	if err := copyFile(path, c.Backup); err != nil {
		return c, fmt.Errorf("repair %s: keeping a copy: %w", path, err)
	}
	tmp := path + ".repair"
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return c, fmt.Errorf("repair %s: %w", path, err)
	}
	next := newJournal(f, 0)
	fail := func(err error) (FileCheck, error) {
		f.Close()
		os.Remove(tmp)
		return c, fmt.Errorf("repair %s: %w", path, err)
	}
	if _, _, err := checkJournal(path, func(p []byte) error { _, err := next.append(p); return err }); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fail(err)
	}
	if err := durable.SyncDir(dir); err != nil {
		return c, fmt.Errorf("repair %s: fsync of the data dir: %w", path, err)
	}
	c.Dropped = c.Size - next.size
	return c, nil
}

// copyFile copies src to a new file dst and fsyncs it.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
