package memory

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"sync"
	"sync/atomic"
)

// The journal is a sequence of records, each
//
//	[4 bytes little-endian payload length][4 bytes CRC-32C of payload][payload]
//
// appended and fsynced before a write is acknowledged (writers that arrive
// while an fsync runs share the next one). A record cut short by
// a crash (its length runs past the end of the file, or its checksum fails on
// the last record) is dropped on open; damage anywhere else is an error.

const headerSize = 8

// maxRecord guards against reading a nonsense length as an allocation size.
const maxRecord = 1 << 30

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// errTorn reports the torn tail found while replaying.
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
}

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
	r := bufio.NewReaderSize(f, 1<<20)
	var off int64
	var torn *tornTail
	var hdr [headerSize]byte
	var buf []byte
	for off < size {
		if size-off < headerSize {
			torn = &tornTail{off, size}
			break
		}
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("journal %s: read at %d: %w", path, off, err)
		}
		n := int64(binary.LittleEndian.Uint32(hdr[:4]))
		sum := binary.LittleEndian.Uint32(hdr[4:])
		end := off + headerSize + n
		if n > maxRecord || end > size {
			torn = &tornTail{off, size}
			break
		}
		if int64(cap(buf)) < n {
			buf = make([]byte, n)
		}
		buf = buf[:n]
		if _, err := io.ReadFull(r, buf); err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("journal %s: read at %d: %w", path, off, err)
		}
		if crc32.Checksum(buf, crcTable) != sum {
			if end == size {
				torn = &tornTail{off, size}
				break
			}
			f.Close()
			return nil, nil, fmt.Errorf("journal %s: record at byte %d is damaged (checksum mismatch) and is not the last one; restore the data dir from a backup", path, off)
		}
		if err := apply(buf); err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("journal %s: record at byte %d: %w", path, off, err)
		}
		off = end
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
	if _, err := f.Seek(torn.endOr(size), io.SeekStart); err != nil {
		f.Close()
		return nil, nil, err
	}
	j := newJournal(f, torn.endOr(size))
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

func (t *tornTail) endOr(size int64) int64 {
	if t == nil {
		return size
	}
	return t.offset
}

// append writes one record to the file without syncing it and returns its
// sequence number; syncTo makes it durable. On failure the partial record is
// cut off again so that later appends do not follow garbage. Callers
// serialise appends.
func (j *journal) append(payload []byte) (int64, error) {
	if len(payload) > maxRecord {
		return 0, errors.New("journal record too large; write smaller batches")
	}
	var hdr [headerSize]byte
	binary.LittleEndian.PutUint32(hdr[:4], uint32(len(payload)))
	binary.LittleEndian.PutUint32(hdr[4:], crc32.Checksum(payload, crcTable))
	err := j.write(hdr[:], payload)
	if err != nil {
		j.w.Reset(j.f)
		if terr := j.f.Truncate(j.size); terr == nil {
			_, _ = j.f.Seek(j.size, io.SeekStart)
		}
		return 0, fmt.Errorf("journal append: %w", err)
	}
	j.size += int64(headerSize + len(payload))
	return j.appended.Add(1), nil
}

func (j *journal) write(hdr, payload []byte) error {
	if _, err := j.w.Write(hdr); err != nil {
		return err
	}
	if _, err := j.w.Write(payload); err != nil {
		return err
	}
	return j.w.Flush()
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
