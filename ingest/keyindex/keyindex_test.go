package keyindex

import (
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// TestMatchesMap runs random puts and gets against an index with a tiny
// budget (so it spills many times) and a plain map, and checks that both
// always agree, including keys overwritten after they went to disk.
func TestMatchesMap(t *testing.T) {
	for _, budget := range []int{3, 50, 1 << 20} {
		dir := t.TempDir()
		x := New(8, budget, dir)
		ref := map[Key]uint64{}
		rng := rand.New(rand.NewPCG(1, uint64(budget)))
		keys := make([]Key, 3000)
		for i := range keys {
			keys[i] = Key{rng.Uint64() >> 60, rng.Uint64()} // many equal Hi
		}
		var v, got [8]byte
		for op := range 20000 {
			k := keys[rng.IntN(len(keys))]
			if rng.IntN(3) == 0 {
				binary.LittleEndian.PutUint64(v[:], uint64(op))
				x.Put(k, v[:])
				ref[k] = uint64(op)
				continue
			}
			want, ok := ref[k]
			if x.Get(k, got[:]) != ok {
				t.Fatalf("budget %d op %d: Get(%v) present=%v, want %v", budget, op, k, !ok, ok)
			}
			if ok && binary.LittleEndian.Uint64(got[:]) != want {
				t.Fatalf("budget %d op %d: Get(%v) = %d, want %d", budget, op, k, binary.LittleEndian.Uint64(got[:]), want)
			}
		}
		for k, want := range ref {
			if !x.Get(k, got[:]) || binary.LittleEndian.Uint64(got[:]) != want {
				t.Fatalf("budget %d: final Get(%v) = %d, want %d", budget, k, binary.LittleEndian.Uint64(got[:]), want)
			}
		}
		if x.Has(Key{1 << 62, 5}) {
			t.Fatal("a key never put is present")
		}
		if budget < 1000 && x.Spills() == 0 {
			t.Fatalf("budget %d: never spilled", budget)
		}
		if budget == 1<<20 && x.Spills() != 0 {
			t.Fatalf("budget %d: spilled %d times with 3000 keys", budget, x.Spills())
		}
		if x.mem.n > budget {
			t.Fatalf("budget %d: %d entries in memory", budget, x.mem.n)
		}
		if err := x.Err(); err != nil {
			t.Fatal(err)
		}
		if err := x.Close(); err != nil {
			t.Fatal(err)
		}
		if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) != 0 {
			t.Fatalf("Close left %v", left)
		}
	}
}

// TestSetWidthZero: a width-0 index is a set.
func TestSetWidthZero(t *testing.T) {
	h := NewHasher()
	x := New(0, 2, t.TempDir())
	defer x.Close()
	for _, s := range []string{"a", "b", "c", "d", "e"} {
		x.Put(h.Key(s), nil)
	}
	for _, s := range []string{"a", "b", "c", "d", "e"} {
		if !x.Has(h.Key(s)) {
			t.Errorf("%q missing", s)
		}
	}
	if x.Has(h.Key("f")) {
		t.Error(`"f" present`)
	}
}

// TestDiskErrorIsReported: a spill directory that cannot be written makes
// Err say so instead of losing keys silently.
func TestDiskErrorIsReported(t *testing.T) {
	x := New(0, 1, filepath.Join(t.TempDir(), "missing"))
	x.Put(Key{1, 1}, nil)
	x.Put(Key{2, 2}, nil) // spills
	if x.Err() == nil {
		t.Fatal("no error for a missing spill directory")
	}
	if _, err := os.Stat(filepath.Join(os.TempDir(), "missing")); err == nil {
		t.Fatal("spilled elsewhere")
	}
}

func BenchmarkGetSpilled(b *testing.B) {
	x := New(8, 1<<16, b.TempDir())
	defer x.Close()
	h := NewHasher()
	var v [8]byte
	const n = 1 << 20
	for i := range n {
		x.Put(h.Key(strconv.Itoa(i)), v[:])
	}
	i := 0
	for b.Loop() {
		x.Get(h.Key(strconv.Itoa(i%n)), v[:])
		i++
	}
}

// TestSameHomePosition: keys whose low halves are equal (one home position
// in the table) or zero stay apart, across growth and a spill.
func TestSameHomePosition(t *testing.T) {
	x := New(4, 3000, t.TempDir())
	defer x.Close()
	const n = 5000
	for i := range n {
		x.Put(Key{Hi: uint64(i), Lo: 7 << 40}, binary.BigEndian.AppendUint32(nil, uint32(i)))
	}
	x.Put(Key{}, []byte{0, 0, 0, 9})
	var v [4]byte
	for i := range n {
		if !x.Get(Key{Hi: uint64(i), Lo: 7 << 40}, v[:]) || binary.BigEndian.Uint32(v[:]) != uint32(i) {
			t.Fatalf("key %d: got %v", i, v)
		}
	}
	if !x.Get(Key{}, v[:]) || v[3] != 9 {
		t.Fatalf("the zero key: got %v", v)
	}
	if x.Has(Key{Hi: n, Lo: 7 << 40}) {
		t.Fatal("a key never put is found")
	}
	if x.Spills() == 0 {
		t.Fatal("never spilled")
	}
}

// TestSpillFileMapped: after a spill the file is mapped (on systems with
// mmap), lookups through the mapping and through ReadAt agree for every
// key, present or not, and Close releases the mapping with the file.
func TestSpillFileMapped(t *testing.T) {
	x := New(8, 1000, t.TempDir())
	defer x.Close()
	h := NewHasher()
	const n = 4500 // four spills, a partial last block
	for i := range n {
		x.Put(h.Key(strconv.Itoa(i)), binary.BigEndian.AppendUint64(nil, uint64(i)))
	}
	if x.Spills() == 0 {
		t.Fatal("never spilled")
	}
	if mmapSupported && x.mapped == nil {
		t.Fatal("the spill file is not mapped")
	}
	if x.mapped != nil && len(x.mapped) != int(x.n)*x.recSize() {
		t.Fatalf("mapped %d bytes, the file holds %d", len(x.mapped), int(x.n)*x.recSize())
	}
	mapped := x.mapped
	var a, b [8]byte
	for i := range n + 100 {
		k := h.Key(strconv.Itoa(i))
		x.mapped = mapped
		okA := x.Get(k, a[:])
		x.mapped = nil
		okB := x.Get(k, b[:])
		if okA != okB || a != b || okA != (i < n) {
			t.Fatalf("key %d: mapped %v %x, read %v %x", i, okA, a, okB, b)
		}
		if okA && binary.BigEndian.Uint64(a[:]) != uint64(i) {
			t.Fatalf("key %d: value %d", i, binary.BigEndian.Uint64(a[:]))
		}
	}
	x.mapped = mapped
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if x.mapped != nil {
		t.Fatal("Close kept the mapping")
	}
}
