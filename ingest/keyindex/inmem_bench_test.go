package keyindex

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// BenchmarkGetInMemory: look-ups in random order in a memory part of a
// million keys (the budget's default), where cache misses decide.
func BenchmarkGetInMemory(b *testing.B) {
	const n = 1 << 20
	x := New(8, n+1, b.TempDir())
	h := NewHasher()
	var v [8]byte
	keys := make([]Key, n)
	for i := range n {
		keys[i] = h.Key("k" + strconv.Itoa(i))
		x.Put(keys[i], v[:])
	}
	r := rand.New(rand.NewPCG(1, 2))
	b.ResetTimer()
	for b.Loop() {
		if !x.Get(keys[r.IntN(n)], v[:]) {
			b.Fatal("missing")
		}
	}
}

// BenchmarkPutInMemory: a million keys into a new index, growth included.
func BenchmarkPutInMemory(b *testing.B) {
	const n = 1 << 20
	h := NewHasher()
	keys := make([]Key, n)
	for i := range n {
		keys[i] = h.Key("k" + strconv.Itoa(i))
	}
	var v [8]byte
	b.ResetTimer()
	for b.Loop() {
		x := New(8, n+1, "")
		for _, k := range keys {
			x.Put(k, v[:])
		}
	}
}
