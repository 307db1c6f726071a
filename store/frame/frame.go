// Package frame reads and writes the record framing of every file the
// stores append to (the memory store's journal, the audit log's segments):
//
//	[4 bytes little-endian payload length][4 bytes CRC-32C of payload][payload]
//
// A payload is a JSON object: never empty, so a run of zeros (a file
// extended by a crash before its data reached the disk) is never a record,
// and its first byte is '{', which lets a reader that lost its place test
// candidate offsets cheaply.
//
// Reading classifies damage. A record that does not verify (impossible
// length, checksum mismatch, short header) and is followed by no record
// that verifies is a torn tail: a write cut short by a crash, never
// acknowledged, safe to drop. Damage followed by a record that verifies is
// corruption: dropping it would lose acknowledged records, so callers
// refuse to open and point at `riskgraph fsck`.
package frame

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// HeaderSize is the length and checksum in front of each payload.
const HeaderSize = 8

// MaxPayload bounds a payload, so that a damaged length is never read as
// an allocation size.
const MaxPayload = 1 << 30

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// ErrEmpty and ErrTooLarge refuse payloads that could not be read back.
var (
	ErrEmpty    = errors.New("frame: empty payload")
	ErrTooLarge = errors.New("frame: payload over 1 GiB; write smaller records")
	ErrNotJSON  = errors.New("frame: payload is not a JSON object")
)

// Append appends the framed payload to dst.
func Append(dst, payload []byte) ([]byte, error) {
	if len(payload) == 0 {
		return dst, ErrEmpty
	}
	if len(payload) > MaxPayload {
		return dst, ErrTooLarge
	}
	if payload[0] != '{' {
		return dst, ErrNotJSON
	}
	var hdr [HeaderSize]byte
	binary.LittleEndian.PutUint32(hdr[:4], uint32(len(payload)))
	binary.LittleEndian.PutUint32(hdr[4:], crc32.Checksum(payload, crcTable))
	return append(append(dst, hdr[:]...), payload...), nil
}

// Region is a damaged byte range [Offset, End) and why it did not verify.
type Region struct {
	Offset int64  `json:"offset"`
	End    int64  `json:"end"`
	Reason string `json:"reason"`
}

// Len is the region's size in bytes.
func (r Region) Len() int64 { return r.End - r.Offset }

// Result is what a Scan found.
type Result struct {
	// Records is the number of records that verified.
	Records int
	// End is where the last verified record ends.
	End int64
	// Damaged lists every damaged region in file order.
	Damaged []Region
	// Torn is true when the only damage is one region reaching the end of
	// the file with no verified record after it: a torn tail.
	Torn bool
}

// Clean reports whether the file verified from start to end.
func (r Result) Clean() bool { return len(r.Damaged) == 0 }

// Corrupt reports whether there is damage that is not a torn tail.
func (r Result) Corrupt() bool { return len(r.Damaged) > 0 && !r.Torn }

// CorruptError is a file damaged before its end: opening it would lose
// acknowledged records, so the stores refuse and point at riskgraph fsck.
type CorruptError struct {
	Path   string
	Region Region // the first damaged region
	// Regions is how many damaged regions the file has.
	Regions int
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("%s is damaged at byte %d (%d bytes, %s) with intact records after it, and %d damaged region(s) in all: "+
		"nothing was changed; run `riskgraph fsck` to see every damaged region and `riskgraph fsck --repair` "+
		"to keep a copy and rebuild the file from every record that verifies (or restore it from a backup)",
		e.Path, e.Region.Offset, e.Region.Len(), e.Region.Reason, e.Regions)
}

// Refuse returns a *CorruptError for path when the scan found damage that
// is not a torn tail, else nil.
func (r Result) Refuse(path string) error {
	if !r.Corrupt() {
		return nil
	}
	return &CorruptError{Path: path, Region: r.Damaged[0], Regions: len(r.Damaged)}
}

// Scan reads the size bytes of ra from the start and calls fn, in order,
// for every record that verifies, with its offset; the payload is only
// valid during the call. After damage it resynchronises on the next offset
// where a record verifies, so every verified record is visited and every
// damaged region reported. An error from fn stops the scan and is returned.
func Scan(ra io.ReaderAt, size int64, fn func(off int64, payload []byte) error) (Result, error) {
	var res Result
	off := int64(0)
	for off < size {
		end, err := scanRun(ra, off, size, &res, fn)
		if err != nil {
			return res, err
		}
		if end >= size {
			break
		}
		// A record at end does not verify: find the next one that does.
		next, reason, err := resync(ra, end, size)
		if err != nil {
			return res, err
		}
		res.Damaged = append(res.Damaged, Region{Offset: end, End: next, Reason: reason})
		off = next
	}
	res.Torn = len(res.Damaged) == 1 && res.Damaged[0].End == size && res.End == res.Damaged[0].Offset
	return res, nil
}

// scanRun reads verified records from off until one does not verify or
// the file ends, and returns where it stopped.
func scanRun(ra io.ReaderAt, off, size int64, res *Result, fn func(int64, []byte) error) (int64, error) {
	r := bufio.NewReaderSize(io.NewSectionReader(ra, off, size-off), 1<<20)
	var hdr [HeaderSize]byte
	var buf []byte
	for off < size {
		if size-off < HeaderSize {
			return off, nil
		}
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return off, fmt.Errorf("read at byte %d: %w", off, err)
		}
		n := int64(binary.LittleEndian.Uint32(hdr[:4]))
		if n == 0 || n > MaxPayload || off+HeaderSize+n > size {
			return off, nil
		}
		if int64(cap(buf)) < n {
			buf = make([]byte, n)
		}
		buf = buf[:n]
		if _, err := io.ReadFull(r, buf); err != nil {
			return off, fmt.Errorf("read at byte %d: %w", off, err)
		}
		if crc32.Checksum(buf, crcTable) != binary.LittleEndian.Uint32(hdr[4:]) {
			return off, nil
		}
		if err := fn(off, buf); err != nil {
			return off, err
		}
		res.Records++
		off += HeaderSize + n
		res.End = off
	}
	return off, nil
}

// reason says why the record at off does not verify.
func reason(ra io.ReaderAt, off, size int64) (string, error) {
	if size-off < HeaderSize {
		return fmt.Sprintf("%d bytes, shorter than a record header", size-off), nil
	}
	var hdr [HeaderSize]byte
	if _, err := ra.ReadAt(hdr[:], off); err != nil {
		return "", fmt.Errorf("read at byte %d: %w", off, err)
	}
	n := int64(binary.LittleEndian.Uint32(hdr[:4]))
	switch {
	case n == 0:
		return "zero length", nil
	case n > MaxPayload:
		return fmt.Sprintf("impossible length %d", n), nil
	case off+HeaderSize+n > size:
		return fmt.Sprintf("length %d runs past the end of the file", n), nil
	}
	return "checksum mismatch", nil
}

// resync returns the first offset after off where a record verifies (size
// when none does) and why the record at off did not.
func resync(ra io.ReaderAt, off, size int64) (int64, string, error) {
	why, err := reason(ra, off, size)
	if err != nil {
		return 0, "", err
	}
	// Candidate headers are read from a sliding window; a candidate's
	// payload is read only when its length fits in the file.
	const window = 1 << 20
	buf := make([]byte, window+HeaderSize)
	var payload []byte
	for base := off + 1; base+HeaderSize <= size; base += window {
		n, err := ra.ReadAt(buf[:min(int64(len(buf)), size-base)], base)
		if err != nil && !errors.Is(err, io.EOF) {
			return 0, "", fmt.Errorf("read at byte %d: %w", base, err)
		}
		for i := 0; i+HeaderSize <= n && i < window; i++ {
			l := int64(binary.LittleEndian.Uint32(buf[i:]))
			p := base + int64(i)
			if l == 0 || l > MaxPayload || p+HeaderSize+l > size || !startsObject(ra, buf[:n], i+HeaderSize, p+HeaderSize) {
				continue
			}
			if int64(cap(payload)) < l {
				payload = make([]byte, l)
			}
			payload = payload[:l]
			if _, err := ra.ReadAt(payload, p+HeaderSize); err != nil {
				return 0, "", fmt.Errorf("read at byte %d: %w", p+HeaderSize, err)
			}
			if crc32.Checksum(payload, crcTable) == binary.LittleEndian.Uint32(buf[i+4:]) {
				return p, why, nil
			}
		}
	}
	return size, why, nil
}

// startsObject reports whether the byte at file offset at (index i of buf
// when buf holds it) opens a JSON object.
func startsObject(ra io.ReaderAt, buf []byte, i int, at int64) bool {
	if i < len(buf) {
		return buf[i] == '{'
	}
	var b [1]byte
	_, err := ra.ReadAt(b[:], at)
	return err == nil && b[0] == '{'
}
