// Package keyindex maps 128-bit key fingerprints to fixed-width values
// while holding at most a fixed number of entries in memory: when the
// memory part is full it is sorted and merged into one sorted file on
// disk, which later lookups search through a small sparse index. A load's
// memory therefore stays flat however many distinct keys its files hold;
// past the budget, lookups read the (usually cached) file where it is
// mapped into memory (ReadAt where mapping is not available).
package keyindex

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"slices"
	"sort"
)

// Key is a 128-bit fingerprint of a key.
type Key struct{ Hi, Lo uint64 }

func (k Key) cmp(o Key) int {
	switch {
	case k.Hi < o.Hi:
		return -1
	case k.Hi > o.Hi:
		return 1
	case k.Lo < o.Lo:
		return -1
	case k.Lo > o.Lo:
		return 1
	}
	return 0
}

// Hasher makes keys from strings with two independent random seeds; two
// distinct strings share a key with probability about 2⁻¹²⁸.
type Hasher struct{ hi, lo maphash.Seed }

// NewHasher returns a hasher with fresh seeds (keys are meaningful only
// within one process).
func NewHasher() Hasher { return Hasher{maphash.MakeSeed(), maphash.MakeSeed()} }

// Key returns the fingerprint of s.
func (h Hasher) Key(s string) Key {
	return Key{maphash.String(h.hi, s), maphash.String(h.lo, s)}
}

// DefaultBudget is the number of entries an index holds in memory before
// it spills to disk.
const DefaultBudget = 1 << 20

// blockRecords is the number of records between two entries of the sparse
// index: a disk lookup reads one block.
const blockRecords = 256

// Index maps keys to values of a fixed width. It is not safe for
// concurrent use. After a disk error every call returns that error.
type Index struct {
	width  int
	budget int
	dir    string

	mem  table // key → slot in vals
	vals []byte

	file   *os.File // sorted records: Hi, Lo (big-endian), value
	mapped []byte   // the file mapped read-only (nil: read it with ReadAt)
	n      int64    // records in file
	sparse []Key    // first key of every block of the file
	block  []byte   // read buffer
	order  []Key    // sort buffer for spills, reused
	err    error
	spills int
}

// New returns an index of values width bytes wide holding up to budget
// entries in memory (DefaultBudget when budget < 1); spill files go to
// dir (the system's temporary directory when empty) and are removed by
// Close.
func New(width, budget int, dir string) *Index {
	if budget < 1 {
		budget = DefaultBudget
	}
	return &Index{width: width, budget: budget, dir: dir}
}

func (x *Index) recSize() int { return 16 + x.width }

// Err returns the first disk error the index met, if any.
func (x *Index) Err() error { return x.err }

// Spills returns how many times the memory part was written to disk.
func (x *Index) Spills() int { return x.spills }

// Get copies the value of k into dst (at least width bytes) and reports
// whether k is present.
func (x *Index) Get(k Key, dst []byte) bool {
	if slot, ok := x.mem.get(k); ok {
		copy(dst, x.vals[int(slot)*x.width:int(slot+1)*x.width])
		return true
	}
	if x.n == 0 || x.err != nil {
		return false
	}
	return x.getDisk(k, dst)
}

// Has reports whether k is present.
func (x *Index) Has(k Key) bool {
	var buf [64]byte
	if x.width <= len(buf) {
		return x.Get(k, buf[:])
	}
	return x.Get(k, make([]byte, x.width))
}

// Put sets the value of k (v holds width bytes; nil for width 0).
func (x *Index) Put(k Key, v []byte) {
	if x.err != nil {
		return
	}
	if slot, ok := x.mem.get(k); ok {
		copy(x.vals[int(slot)*x.width:], v[:x.width])
		return
	}
	if x.mem.n >= x.budget {
		x.spill()
		if x.err != nil {
			return
		}
	}
	x.mem.add(k, int32(x.mem.n))
	x.vals = append(x.vals, v[:x.width]...)
}

// Close removes the spill file.
func (x *Index) Close() error {
	if x.file == nil {
		return nil
	}
	var err error
	if x.mapped != nil {
		err = unmapFile(x.mapped)
		x.mapped = nil
	}
	name := x.file.Name()
	if cerr := x.file.Close(); err == nil {
		err = cerr
	}
	x.file = nil
	if rerr := os.Remove(name); err == nil {
		err = rerr
	}
	return err
}

func (x *Index) getDisk(k Key, dst []byte) bool {
	// The block whose first key is the last one <= k.
	b := sort.Search(len(x.sparse), func(i int) bool { return x.sparse[i].cmp(k) > 0 }) - 1
	if b < 0 {
		return false
	}
	rs := x.recSize()
	start := int64(b) * blockRecords
	n := min(int64(blockRecords), x.n-start)
	var buf []byte
	if x.mapped != nil {
		off := start * int64(rs)
		buf = x.mapped[off : off+n*int64(rs)]
	} else {
		buf = x.block[:int(n)*rs]
		if _, err := x.file.ReadAt(buf, start*int64(rs)); err != nil {
			x.err = fmt.Errorf("keyindex: reading %s: %w", x.file.Name(), err)
			return false
		}
	}
	i := sort.Search(int(n), func(i int) bool { return readKey(buf[i*rs:]).cmp(k) >= 0 })
	if i < int(n) && readKey(buf[i*rs:]) == k {
		copy(dst, buf[i*rs+16:(i+1)*rs])
		return true
	}
	return false
}

func readKey(b []byte) Key {
	return Key{binary.BigEndian.Uint64(b), binary.BigEndian.Uint64(b[8:])}
}

func putKey(b []byte, k Key) {
	binary.BigEndian.PutUint64(b, k.Hi)
	binary.BigEndian.PutUint64(b[8:], k.Lo)
}

// spill merges the memory part into the sorted file (a new file replaces
// the old one) and empties it; the map keeps its capacity, so memory stays
// where it is.
func (x *Index) spill() {
	x.order = x.mem.appendKeys(x.order[:0])
	slices.SortFunc(x.order, Key.cmp)
	out, err := os.CreateTemp(x.dir, "riskgraph-keyindex-*")
	if err != nil {
		x.err = fmt.Errorf("keyindex: %w", err)
		return
	}
	if err := x.merge(out); err != nil {
		out.Close()
		os.Remove(out.Name())
		x.err = fmt.Errorf("keyindex: writing %s: %w", out.Name(), err)
		return
	}
	x.Close()
	x.file = out
	x.mapped = mapFile(out, x.n*int64(x.recSize()))
	x.mem.reset()
	x.vals = x.vals[:0]
	x.spills++
	if x.block == nil {
		x.block = make([]byte, blockRecords*x.recSize())
	}
}

// merge writes the union of the file and the memory part to out, the
// memory's value winning for a key in both, and rebuilds the sparse index.
func (x *Index) merge(out *os.File) error {
	rs := x.recSize()
	w := bufio.NewWriterSize(out, 1<<20)
	var r *bufio.Reader
	left := x.n
	if x.file != nil {
		r = bufio.NewReaderSize(io.NewSectionReader(x.file, 0, x.n*int64(rs)), 1<<20)
	}
	disk := make([]byte, rs)
	rec := make([]byte, rs)
	var haveDisk bool
	next := func() error {
		if left == 0 {
			haveDisk = false
			return nil
		}
		left--
		haveDisk = true
		_, err := io.ReadFull(r, disk)
		return err
	}
	if err := next(); err != nil {
		return err
	}
	x.sparse = x.sparse[:0]
	var n int64
	emit := func(b []byte) error {
		if n%blockRecords == 0 {
			x.sparse = append(x.sparse, readKey(b))
		}
		n++
		_, err := w.Write(b)
		return err
	}
	for _, k := range x.order {
		for haveDisk && readKey(disk).cmp(k) < 0 {
			if err := emit(disk); err != nil {
				return err
			}
			if err := next(); err != nil {
				return err
			}
		}
		if haveDisk && readKey(disk) == k {
			if err := next(); err != nil { // the memory's value replaces it
				return err
			}
		}
		putKey(rec, k)
		s, _ := x.mem.get(k)
		slot := int(s)
		copy(rec[16:], x.vals[slot*x.width:(slot+1)*x.width])
		if err := emit(rec); err != nil {
			return err
		}
	}
	for haveDisk {
		if err := emit(disk); err != nil {
			return err
		}
		if err := next(); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	x.n = n
	return nil
}
