package frame

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// Reader reads records one after another from a stream that cannot seek
// (a gzip-compressed file): it verifies each record and stops at the first
// damage, which it reports with its offset in the stream. Use Scan on files
// that can be read at any offset: it also finds what follows damage.
type Reader struct {
	r   *bufio.Reader
	off int64
	buf []byte
}

// NewReader reads records from r.
func NewReader(r io.Reader) *Reader {
	return &Reader{r: bufio.NewReaderSize(r, 1<<20)}
}

// Offset is where the next record starts in the stream.
func (r *Reader) Offset() int64 { return r.off }

// DamageError says where a stream stopped verifying and why.
type DamageError struct {
	Offset int64
	Reason string
}

func (e *DamageError) Error() string {
	return fmt.Sprintf("record at byte %d: %s", e.Offset, e.Reason)
}

// Next returns the next record's payload, valid until the following call;
// io.EOF at a clean end of the stream; a *DamageError when the record at
// Offset does not verify; or the stream's own error.
func (r *Reader) Next() ([]byte, error) {
	var hdr [HeaderSize]byte
	n, err := io.ReadFull(r.r, hdr[:])
	switch {
	case err == io.EOF:
		return nil, io.EOF
	case errors.Is(err, io.ErrUnexpectedEOF):
		return nil, &DamageError{r.off, fmt.Sprintf("%d bytes, shorter than a record header", n)}
	case err != nil:
		return nil, err
	}
	l := int64(binary.LittleEndian.Uint32(hdr[:4]))
	if l == 0 {
		return nil, &DamageError{r.off, "zero length"}
	}
	if l > MaxPayload {
		return nil, &DamageError{r.off, fmt.Sprintf("impossible length %d", l)}
	}
	if int64(cap(r.buf)) < l {
		r.buf = make([]byte, l)
	}
	r.buf = r.buf[:l]
	if _, err := io.ReadFull(r.r, r.buf); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || err == io.EOF {
			return nil, &DamageError{r.off, fmt.Sprintf("length %d runs past the end of the stream", l)}
		}
		return nil, err
	}
	if crc32.Checksum(r.buf, crcTable) != binary.LittleEndian.Uint32(hdr[4:]) {
		return nil, &DamageError{r.off, "checksum mismatch"}
	}
	r.off += HeaderSize + l
	return r.buf, nil
}
