package snapshot

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"

	"riskgraph/store/durable"
)

// Format version 2 (now 3) holds the engine's built graph instead of the scan's
// rows: its arrays as they are in memory, each in a section the engine
// names (package engine, graphfile.go), so that loading is reading them
// into place, with no decoding row by row. This package knows the frame,
// not the arrays:
//
//	magic      8 bytes  "RGPSNAP\n"
//	version    uint32   GraphVersion
//	meta len   uint32
//	meta       JSON     GraphMeta: Meta and the engine's own header
//	meta CRC   uint32   CRC-32C of the meta JSON
//	sections   each: name length uint16, name, data length uint64,
//	           data, CRC-32C of the data (uint32)
//	trailer    uint32 number of sections, "RGPSEND\n"
//
// Integers are little-endian. LoadGraph refuses, before the engine uses
// anything, a file that is cut, changed (a CRC), of another version, or
// whose sections are not the ones the engine asks for in its order.

// GraphVersion is the format version of a graph snapshot: 3 since the
// graph file and its results file keep the run's ownership state
// (engine/ownership_incr.go); a file of format 2 is refused as another
// version and rebuilt.
const GraphVersion = 3

// GraphMeta is the meta JSON of a graph snapshot.
type GraphMeta struct {
	Meta
	// Engine is the engine's header (sizes, string tables…), opaque here.
	Engine json.RawMessage `json:"engine"`
}

// Version returns the format version of the snapshot file at path
// (fs.ErrNotExist when there is none; ErrDamaged when it is not a
// snapshot).
func Version(path string) (uint32, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var head [12]byte
	if _, err := io.ReadFull(f, head[:]); err != nil || string(head[:8]) != magic {
		return 0, fmt.Errorf("%w: not a projection snapshot", ErrDamaged)
	}
	return binary.LittleEndian.Uint32(head[8:]), nil
}

// GraphWriter writes the sections of a graph snapshot.
type GraphWriter struct {
	w   *bufio.Writer
	n   uint32
	err error
}

// SaveGraph writes a graph snapshot to path: the meta, then the sections
// write adds, then the trailer. Readers see the old file or the whole new
// one (a temporary file renamed over path), but it is not fsynced
// (durable.ReplaceChecked): after a crash of the machine the file may be
// the old, the new or a damaged one, which LoadGraph's checks refuse and
// the run rebuilds. The snapshot is a cache of the store; waiting for the
// disk cost the daily run up to 0.7 s at 1 M.
func SaveGraph(path string, m GraphMeta, write func(*GraphWriter) error) error {
	meta, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return durable.ReplaceChecked(path, func(w io.Writer) error {
		gw := &GraphWriter{w: bufio.NewWriterSize(w, 1<<20)}
		var head []byte
		head = append(head, magic...)
		head = binary.LittleEndian.AppendUint32(head, GraphVersion)
		head = binary.LittleEndian.AppendUint32(head, uint32(len(meta)))
		head = append(head, meta...)
		head = binary.LittleEndian.AppendUint32(head, crc32.Checksum(meta, castagnoli))
		gw.write(head)
		if err := write(gw); err != nil {
			return err
		}
		var tail []byte
		tail = binary.LittleEndian.AppendUint32(tail, gw.n)
		tail = append(tail, endMagic...)
		gw.write(tail)
		if gw.err != nil {
			return gw.err
		}
		return gw.w.Flush()
	})
}

func (gw *GraphWriter) write(b []byte) {
	if gw.err == nil {
		_, gw.err = gw.w.Write(b)
	}
}

// Section writes one section of length bytes that fill writes (it must
// write exactly that many).
func (gw *GraphWriter) Section(name string, length int64, fill func(w io.Writer) error) {
	if gw.err != nil {
		return
	}
	var head []byte
	head = binary.LittleEndian.AppendUint16(head, uint16(len(name)))
	head = append(head, name...)
	head = binary.LittleEndian.AppendUint64(head, uint64(length))
	gw.write(head)
	cw := &countingWriter{w: gw.w, crc: crc32.New(castagnoli)}
	if gw.err == nil {
		gw.err = fill(cw)
	}
	if gw.err == nil && cw.n != length {
		gw.err = fmt.Errorf("snapshot: section %s: %d bytes written, %d announced", name, cw.n, length)
	}
	gw.write(binary.LittleEndian.AppendUint32(nil, cw.crc.Sum32()))
	gw.n++
}

// Bytes writes a section holding b.
func (gw *GraphWriter) Bytes(name string, b []byte) {
	gw.Section(name, int64(len(b)), func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

type countingWriter struct {
	w   io.Writer
	crc hash.Hash32
	n   int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	c.crc.Write(b)
	c.n += int64(len(b))
	return c.w.Write(b)
}

// GraphReader reads the sections of a graph snapshot, in order.
type GraphReader struct {
	r    *bufio.Reader
	left int64 // bytes of the file not read yet
	n    uint32
}

// LoadGraph reads the graph snapshot at path: read gets the meta and
// reads the sections. Any error (a missing file: fs.ErrNotExist; a
// damaged one: ErrDamaged; another version: ErrVersion) means nothing
// read may be used.
func LoadGraph(path string, read func(*GraphMeta, *GraphReader) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	gr := &GraphReader{r: bufio.NewReaderSize(f, 1<<20), left: fi.Size()}
	var head [16]byte
	if err := gr.full(head[:]); err != nil || string(head[:8]) != magic {
		return fmt.Errorf("%w: not a projection snapshot", ErrDamaged)
	}
	if v := binary.LittleEndian.Uint32(head[8:]); v != GraphVersion {
		return fmt.Errorf("%w: version %d, want the graph format %d", ErrVersion, v, GraphVersion)
	}
	n := int64(binary.LittleEndian.Uint32(head[12:]))
	if n > maxMeta || n+4 > gr.left {
		return fmt.Errorf("%w: meta of %d bytes", ErrDamaged, n)
	}
	meta := make([]byte, n+4)
	if err := gr.full(meta); err != nil {
		return err
	}
	if crc32.Checksum(meta[:n], castagnoli) != binary.LittleEndian.Uint32(meta[n:]) {
		return fmt.Errorf("%w: meta checksum mismatch", ErrDamaged)
	}
	var m GraphMeta
	if err := json.Unmarshal(meta[:n], &m); err != nil {
		return fmt.Errorf("%w: meta: %v", ErrDamaged, err)
	}
	if err := read(&m, gr); err != nil {
		return err
	}
	var tail [12]byte
	if err := gr.full(tail[:]); err != nil {
		return err
	}
	if binary.LittleEndian.Uint32(tail[:]) != gr.n || string(tail[4:]) != endMagic || gr.left != 0 {
		return fmt.Errorf("%w: the trailer does not close %d sections", ErrDamaged, gr.n)
	}
	return nil
}

// full reads len(b) bytes; a short file is damaged.
func (gr *GraphReader) full(b []byte) error {
	if int64(len(b)) > gr.left {
		return fmt.Errorf("%w: cut (%d bytes missing)", ErrDamaged, int64(len(b))-gr.left)
	}
	if _, err := io.ReadFull(gr.r, b); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return fmt.Errorf("%w: cut", ErrDamaged)
		}
		return err
	}
	gr.left -= int64(len(b))
	return nil
}

// Section reads the next section, which must be called name: alloc gets
// its length in bytes and returns where to read it (exactly that long),
// or an error (a length the engine cannot hold).
func (gr *GraphReader) Section(name string, alloc func(n int64) ([]byte, error)) error {
	var nl [2]byte
	if err := gr.full(nl[:]); err != nil {
		return err
	}
	got := make([]byte, binary.LittleEndian.Uint16(nl[:]))
	if err := gr.full(got); err != nil {
		return err
	}
	if string(got) != name {
		return fmt.Errorf("%w: section %q where %q was expected", ErrDamaged, got, name)
	}
	var ln [8]byte
	if err := gr.full(ln[:]); err != nil {
		return err
	}
	n := binary.LittleEndian.Uint64(ln[:])
	if n > uint64(gr.left) {
		return fmt.Errorf("%w: section %s of %d bytes, %d left (cut?)", ErrDamaged, name, n, gr.left)
	}
	dst, err := alloc(int64(n))
	if err != nil {
		return fmt.Errorf("%w: section %s: %v", ErrDamaged, name, err)
	}
	if uint64(len(dst)) != n {
		return fmt.Errorf("%w: section %s: %d bytes, room for %d", ErrDamaged, name, n, len(dst))
	}
	if err := gr.full(dst); err != nil {
		return err
	}
	var sum [4]byte
	if err := gr.full(sum[:]); err != nil {
		return err
	}
	if crc32.Checksum(dst, castagnoli) != binary.LittleEndian.Uint32(sum[:]) {
		return fmt.Errorf("%w: section %s: checksum mismatch", ErrDamaged, name)
	}
	gr.n++
	return nil
}
