package memory

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"riskgraph/store/frame"
)

// The journal is a sequence of records framed by store/frame (length,
// CRC-32C, JSON payload), appended and fsynced before a write is
// acknowledged (writers that arrive while an fsync runs share the next
// one). On open, a torn tail (a last record cut short by a crash, with no
// record that verifies after it) is dropped and logged; any other damage
// is corruption and the store refuses to open, naming the file, the offset
// and `riskgraph fsck`, because dropping it would lose acknowledged writes.

// tornTail is the torn tail found while replaying.
type tornTail struct {
	offset int64 // where the last complete record ends
	size   int64 // the file size before truncation
}

type journal struct {
	path     string // the journal's name (f may have been created under another)
	f        *os.File
	w        *bufio.Writer
	size     int64        // bytes of complete records written
	appended atomic.Int64 // sequence number of the last record written
	syncMu   sync.Mutex
	synced   int64 // sequence number of the last record known durable
	hdr      []byte
}

// CorruptError is a journal damaged before its end (frame.CorruptError).
type CorruptError = frame.CorruptError

// openJournal opens (creating) the journal at path, calls apply for every
// complete record in order, truncates a torn tail, and leaves the file ready
// for appends (O_APPEND: every write lands at the end of the file). It
// returns what it dropped, if anything. With readOnly the file is opened
// O_RDONLY, must exist, and a torn tail is reported but left in place.
func openJournal(path string, readOnly bool, apply func([]byte) error) (*journal, *tornTail, error) {
	flags := os.O_RDWR | os.O_CREATE | os.O_APPEND
	if readOnly {
		flags = os.O_RDONLY
	}
	f, err := os.OpenFile(path, flags, 0o600)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	size := st.Size()
	var next int64 // where the next record starts when there is no damage
	res, err := frame.Scan(f, size, func(off int64, p []byte) error {
		if off != next {
			return nil // past damage: the open fails below, apply nothing more
		}
		next = off + frame.HeaderSize + int64(len(p))
		if err := apply(p); err != nil {
			return fmt.Errorf("journal %s: record at byte %d verifies but cannot be replayed (%w); nothing was changed: run `riskgraph fsck --data-dir %s`", path, off, err, filepath.Dir(path))
		}
		return nil
	})
	if err == nil {
		err = res.Refuse(path)
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	var torn *tornTail
	if res.Torn {
		torn = &tornTail{res.End, size}
	}
	if torn != nil && !readOnly {
		if err := f.Truncate(torn.offset); err != nil {
			f.Close()
			return nil, nil, err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, nil, err
		}
	}
	if _, err := f.Seek(res.End, io.SeekStart); err != nil {
		f.Close()
		return nil, nil, err
	}
	j := newJournal(f, res.End)
	j.path = path
	return j, torn, nil
}

// newJournal appends to f, which holds size bytes of complete records.
func newJournal(f *os.File, size int64) *journal {
	return &journal{f: f, w: bufio.NewWriterSize(f, 1<<20), size: size}
}

// replace makes j append to next's file (now renamed to j.path) from now
// on, closing its own: every record appended to j so far is in next
// (Compact wrote the state they made) and next is durable, so they count
// as synced. The caller holds the store's write lock, so nothing is
// appended meanwhile.
func (j *journal) replace(next *journal) {
	j.syncMu.Lock()
	defer j.syncMu.Unlock()
	_ = j.f.Close()
	j.f, j.w, j.size = next.f, next.w, next.size
	j.synced = j.appended.Load()
}

// append writes one record to the file without syncing it and returns its
// sequence number; syncTo makes it durable. On failure the partial record is
// cut off again so that later appends do not follow garbage. Callers
// serialise appends.
func (j *journal) append(payload []byte) (int64, error) {
	rec, err := frame.Append(j.hdr[:0], payload)
	if err != nil {
		return 0, fmt.Errorf("journal append: %w", err)
	}
	j.hdr = rec[:0]
	if _, err = j.w.Write(rec); err == nil {
		err = j.w.Flush()
	}
	if err != nil {
		j.w.Reset(j.f)
		if terr := j.f.Truncate(j.size); terr == nil {
			_, _ = j.f.Seek(j.size, io.SeekStart)
		}
		return 0, fmt.Errorf("journal append: %w", err)
	}
	j.size += int64(len(rec))
	return j.appended.Add(1), nil
}

// syncTo returns once record seq is on stable storage. One fsync covers
// every record appended before it started, so writers that append while
// another syncs share the next fsync (group commit).
func (j *journal) syncTo(seq int64) error {
	j.syncMu.Lock()
	defer j.syncMu.Unlock()
	if j.synced >= seq {
		return nil
	}
	target := j.appended.Load()
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("journal fsync: %w", err)
	}
	j.synced = target
	return nil
}

func (j *journal) close() error { return j.f.Close() }
