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
	"math"
	"os"
	"unsafe"

	"riskgraph/store/durable"
)

// The file:
//
//	magic      8 bytes  "RGPSNAP\n"
//	version    uint32   FormatVersion
//	meta len   uint32
//	meta       JSON     Meta and the row counts
//	body       rows     enterprises, persons, records, relationships, flag kinds
//	           exact    float64 per enterprise and person, when meta names exact_run
//	trailer    uint64 length of meta + body, uint32 CRC-32C of meta + body, "RGPSEND\n"
//
// Integers are little-endian; strings are a uvarint length and their
// bytes; dates are days since 1970-01-01 (int32, noDay for none). Save
// writes a temporary file, fsyncs it and renames it over the old one
// (Save), so a crash leaves the old file or the new one. Load
// checks the magic, version, lengths and checksum before it reads a row,
// and the rows' invariants (order, numbers in range) after.

// FormatVersion is the version of the file format; Load refuses others.
const FormatVersion = 1

const (
	magic    = "RGPSNAP\n"
	endMagic = "RGPSEND\n"
	// trailerLen is the length of the trailer.
	trailerLen = 8 + 4 + 8
	// maxMeta bounds the meta JSON.
	maxMeta = 1 << 20
)

// ErrDamaged: the file is not a whole snapshot (cut, changed, or not a
// snapshot at all). ErrVersion: it was written in another format version.
var (
	ErrDamaged = errors.New("snapshot damaged")
	ErrVersion = errors.New("snapshot of another format version")
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// fileMeta is the meta JSON.
type fileMeta struct {
	Meta
	Counts Counts   `json:"counts"`
	Flags  []string `json:"flags"`
	// ExactRun names the run whose computed scores follow the rows
	// (Rows.SetExact); empty: none follow.
	ExactRun string `json:"exact_run,omitempty"`
}

// Save writes the rows to path atomically (durable.Replace: a temporary
// file beside it, fsynced, renamed over path, the directory fsynced). One
// run saves at a time (the run trigger's lock, across replicas too); a
// temporary file a crash left behind is overwritten by the next save.
func Save(path string, r *Rows) error {
	return durable.Replace(path, r.write)
}

func (r *Rows) write(w io.Writer) error {
	meta, err := json.Marshal(fileMeta{Meta: r.Meta, Counts: r.Counts(), Flags: r.flags, ExactRun: r.exactRun})
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	var head []byte
	head = append(head, magic...)
	head = binary.LittleEndian.AppendUint32(head, FormatVersion)
	head = binary.LittleEndian.AppendUint32(head, uint32(len(meta)))
	if _, err := bw.Write(head); err != nil {
		return err
	}
	e := &encoder{w: bw, crc: crc32.New(castagnoli)}
	e.raw(meta)
	for i := range r.ents {
		x := &r.ents[i]
		for _, s := range [...]string{x.key, x.kind, x.status, x.region, x.industry, x.address, x.phone, x.email} {
			e.str(s)
		}
		e.i32(x.established)
		e.bool(x.placeholder)
		e.risk(x.risk)
	}
	for i := range r.pers {
		x := &r.pers[i]
		e.str(x.pid)
		e.bool(x.placeholder)
		e.risk(x.risk)
	}
	for i := range r.recs {
		x := &r.recs[i]
		e.str(x.id)
		e.str(x.kind)
		e.i32(x.subject)
		e.f64(x.severity)
		e.i32(x.decided)
		e.i32(x.remove)
	}
	for i := range r.rels {
		x := &r.rels[i]
		e.buf = append(e.buf, x.typ)
		e.i32(x.from)
		e.i32(x.to)
		e.f64(x.ratio)
		e.i32(x.since)
		e.i32(x.until)
		e.str(x.title)
	}
	if r.exactRun != "" {
		r.writeExact(e)
	}
	if err := e.flush(); err != nil {
		return err
	}
	var tail []byte
	tail = binary.LittleEndian.AppendUint64(tail, uint64(e.n))
	tail = binary.LittleEndian.AppendUint32(tail, e.crc.Sum32())
	tail = append(tail, endMagic...)
	if _, err := bw.Write(tail); err != nil {
		return err
	}
	return bw.Flush()
}

// writeExact writes the computed scores (SetExact), enterprises then
// persons in row order.
func (r *Rows) writeExact(e *encoder) {
	for i := range r.ents {
		e.f64(r.ents[i].risk.exact)
		e.maybeFlush()
	}
	for j := range r.pers {
		e.f64(r.pers[j].risk.exact)
		e.maybeFlush()
	}
}

// encoder buffers what it encodes and feeds it to the checksum and the
// writer in large blocks.
type encoder struct {
	w   io.Writer
	crc hash.Hash32
	buf []byte
	n   int64
	err error
}

func (e *encoder) maybeFlush() {
	if len(e.buf) >= 1<<16 {
		_ = e.flush()
	}
}

func (e *encoder) flush() error {
	if e.err == nil && len(e.buf) > 0 {
		e.crc.Write(e.buf)
		e.n += int64(len(e.buf))
		_, e.err = e.w.Write(e.buf)
	}
	e.buf = e.buf[:0]
	return e.err
}

func (e *encoder) raw(b []byte) { e.buf = append(e.buf, b...); e.maybeFlush() }
func (e *encoder) str(s string) {
	e.buf = binary.AppendUvarint(e.buf, uint64(len(s)))
	e.buf = append(e.buf, s...)
	e.maybeFlush()
}
func (e *encoder) i32(v int32) { e.buf = binary.LittleEndian.AppendUint32(e.buf, uint32(v)) }
func (e *encoder) f64(v float64) {
	e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(v))
}
func (e *encoder) bool(v bool) {
	b := byte(0)
	if v {
		b = 1
	}
	e.buf = append(e.buf, b)
}
func (e *encoder) risk(x risk) {
	e.bool(x.has)
	e.f64(x.score)
	e.buf = binary.LittleEndian.AppendUint32(e.buf, x.flags)
	e.maybeFlush()
}

// Load reads a snapshot file. A file that is not a whole snapshot of this
// format is refused with an error wrapping ErrDamaged or ErrVersion (a
// missing file: fs.ErrNotExist); nothing of it is used then.
//
// The rows' strings point into the file's bytes, read once into memory
// and never changed.
func Load(path string) (*Rows, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return decode(data)
}

func decode(data []byte) (*Rows, error) {
	damaged := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrDamaged, fmt.Sprintf(format, args...))
	}
	if len(data) < len(magic)+8+trailerLen || string(data[:len(magic)]) != magic {
		return nil, damaged("not a projection snapshot (%d bytes, no magic)", len(data))
	}
	if v := binary.LittleEndian.Uint32(data[8:]); v != FormatVersion {
		return nil, fmt.Errorf("%w: version %d, this riskgraph reads %d", ErrVersion, v, FormatVersion)
	}
	metaLen := int(binary.LittleEndian.Uint32(data[12:]))
	tail := data[len(data)-trailerLen:]
	if string(tail[12:]) != endMagic {
		return nil, damaged("no end marker (cut?)")
	}
	body := data[16 : len(data)-trailerLen]
	if n := binary.LittleEndian.Uint64(tail); n != uint64(len(body)) {
		return nil, damaged("length %d, the trailer says %d", len(body), n)
	}
	if sum := crc32.Checksum(body, castagnoli); sum != binary.LittleEndian.Uint32(tail[8:]) {
		return nil, damaged("checksum mismatch")
	}
	if metaLen > maxMeta || metaLen > len(body) {
		return nil, damaged("meta of %d bytes", metaLen)
	}
	var fm fileMeta
	if err := json.Unmarshal(body[:metaLen], &fm); err != nil {
		return nil, damaged("meta: %v", err)
	}
	c := fm.Counts
	if c.Enterprises < 0 || c.Persons < 0 || c.Records < 0 || c.Relationships < 0 ||
		c.Enterprises+c.Persons+c.Records+c.Relationships > len(body) {
		return nil, damaged("counts %+v", c)
	}
	rest := body[metaLen:]
	// One string over the whole body: the rows' strings are slices of it.
	all := unsafe.String(unsafe.SliceData(rest), len(rest))
	d := &decoder{b: rest, s: all}
	r := &Rows{Meta: fm.Meta, flags: fm.Flags,
		ents: make([]ent, c.Enterprises), pers: make([]per, c.Persons), recs: make([]rec, c.Records), rels: make([]rel, c.Relationships)}
	for i := range r.ents {
		x := &r.ents[i]
		x.key, x.kind, x.status, x.region = d.str(), d.str(), d.str(), d.str()
		x.industry, x.address, x.phone, x.email = d.str(), d.str(), d.str(), d.str()
		x.established = d.i32()
		x.placeholder = d.bool()
		x.risk = d.risk()
	}
	for i := range r.pers {
		x := &r.pers[i]
		x.pid = d.str()
		x.placeholder = d.bool()
		x.risk = d.risk()
	}
	for i := range r.recs {
		x := &r.recs[i]
		x.id, x.kind = d.str(), d.str()
		x.subject = d.i32()
		x.severity = d.f64()
		x.decided, x.remove = d.i32(), d.i32()
	}
	for i := range r.rels {
		x := &r.rels[i]
		x.typ = d.byte()
		x.from, x.to = d.i32(), d.i32()
		x.ratio = d.f64()
		x.since, x.until = d.i32(), d.i32()
		x.title = d.str()
	}
	if fm.ExactRun != "" {
		for i := range r.ents {
			r.ents[i].risk.exact = d.f64()
		}
		for j := range r.pers {
			r.pers[j].risk.exact = d.f64()
		}
		r.exactRun = fm.ExactRun
	}
	if d.bad {
		return nil, damaged("rows run past the end")
	}
	if d.off != len(rest) {
		return nil, damaged("%d bytes after the rows", len(rest)-d.off)
	}
	if err := r.validate(); err != nil {
		return nil, damaged("%v", err)
	}
	return r, nil
}

// decoder reads rows from b; s is b as a string, for the rows' strings.
// Reading past the end sets bad and yields zeros.
type decoder struct {
	b   []byte
	s   string
	off int
	bad bool
}

func (d *decoder) need(n int) bool {
	if d.bad || n < 0 || d.off+n > len(d.b) {
		d.bad = true
		return false
	}
	return true
}

func (d *decoder) str() string {
	if d.bad {
		return ""
	}
	n, k := binary.Uvarint(d.b[d.off:])
	if k <= 0 || n > uint64(len(d.b)) {
		d.bad = true
		return ""
	}
	d.off += k
	if !d.need(int(n)) {
		return ""
	}
	s := d.s[d.off : d.off+int(n)]
	d.off += int(n)
	return s
}

func (d *decoder) byte() byte {
	if !d.need(1) {
		return 0
	}
	d.off++
	return d.b[d.off-1]
}

func (d *decoder) bool() bool { return d.byte() == 1 }

func (d *decoder) i32() int32 {
	if !d.need(4) {
		return 0
	}
	d.off += 4
	return int32(binary.LittleEndian.Uint32(d.b[d.off-4:]))
}

func (d *decoder) u32() uint32 { return uint32(d.i32()) }

func (d *decoder) f64() float64 {
	if !d.need(8) {
		return 0
	}
	d.off += 8
	return math.Float64frombits(binary.LittleEndian.Uint64(d.b[d.off-8:]))
}

func (d *decoder) risk() risk {
	return risk{has: d.bool(), score: d.f64(), flags: d.u32()}
}
