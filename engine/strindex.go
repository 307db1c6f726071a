package engine

import (
	"math/bits"
	"math/rand/v2"
	"unsafe"
)

// strIndex maps strings to int32 ids for the projection without a Go map:
// open addressing with linear probing over a pointer-free table, so the
// garbage collector never scans it and growing it never rehashes a string.
// Each slot packs a 32-bit hash of the key (high half) and id+1 (low half;
// 0 is an empty slot). The keys live in the caller's KeyTable, indexed by
// id. The table grows when it is three quarters full: a slot is 8 bytes,
// so at 2.1 M persons (1 M enterprises) it holds 4 M slots (32 MiB) where
// growing at half full took 8 M; a probe reads the stored hashes, eight
// slots to a cache line, and compares a key only on a hash match.
//
// The hash is this file's own (hashString), seeded at random per index:
// the runtime's string hash (hash/maphash) differs from process to
// process, and a projection snapshot (graphfile.go) saves the slots with
// their seed so that the next run finds keys without hashing them again.
type strIndex struct {
	seed  uint64
	slots []uint64
	n     int
}

func newStrIndex() strIndex { return strIndex{seed: rand.Uint64(), slots: make([]uint64, 1024)} }

// hash is key's hash in this index.
func (x *strIndex) hash(key string) uint32 { return uint32(hashString(x.seed, key)) }

// Multipliers of hashString (odd 64-bit constants with well spread bits).
const (
	hashK0 = 0xa0761d6478bd642f
	hashK1 = 0xe7037ed1a0b428db
	hashK2 = 0x8ebc6af09c88c6e3
)

// hashString hashes s with seed: eight bytes at a time, each word mixed
// in by a 64×64→128-bit multiply folded to 64 bits (the wyhash family's
// step), the tail as one zero-padded word, the length in the last step.
// Words are read in the machine's byte order: the snapshot that saves
// these hashes is written and read on little-endian machines only.
func hashString(seed uint64, s string) uint64 {
	h := seed ^ hashK0
	// Offsets stay inside the string (no pointer one past its end, which
	// the race detector's checkptr refuses).
	p := unsafe.Pointer(unsafe.StringData(s))
	i := 0
	for ; i+8 <= len(s); i += 8 {
		h = mix64(h^*(*uint64)(unsafe.Add(p, i)), hashK1)
	}
	if i < len(s) {
		var w uint64
		for j := range len(s) - i {
			w |= uint64(*(*byte)(unsafe.Add(p, i+j))) << (8 * j)
		}
		h = mix64(h^w, hashK2)
	}
	return mix64(h^uint64(len(s)), hashK1^seed)
}

// mix64 multiplies a by b and folds the 128-bit product.
func mix64(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// find returns the id of key, or -1 and the slot where it would go.
func (x *strIndex) find(key string, keys *KeyTable) (id int32, slot int, h uint32) {
	return x.findHashed(key, x.hash(key), keys)
}

// findHashed is find with key's hash h computed beforehand.
func (x *strIndex) findHashed(key string, h uint32, keys *KeyTable) (id int32, slot int, _ uint32) {
	mask := len(x.slots) - 1
	for i := int(h) & mask; ; i = (i + 1) & mask {
		s := x.slots[i]
		if s == 0 {
			return -1, i, h
		}
		if uint32(s>>32) == h {
			if id := int32(uint32(s)) - 1; keys.At(id) == key {
				return id, i, h
			}
		}
	}
}

// get returns the id of key.
func (x *strIndex) get(key string, keys *KeyTable) (int32, bool) {
	if x.n == 0 {
		return 0, false
	}
	id, _, _ := x.find(key, keys)
	return id, id >= 0
}

// insert puts id at the slot find returned (the key must be absent).
func (x *strIndex) insert(slot int, h uint32, id int32) {
	x.slots[slot] = uint64(h)<<32 | uint64(uint32(id+1))
	x.n++
	if 4*x.n > 3*len(x.slots) {
		x.grow()
	}
}

// reserve makes an empty index big enough for n keys without growing.
func (x *strIndex) reserve(n int) {
	want := len(x.slots)
	for 3*want < 4*n {
		want *= 2
	}
	if x.n == 0 && want > len(x.slots) {
		x.slots = make([]uint64, want)
	}
}

// grow doubles the table; positions come from the stored hashes.
func (x *strIndex) grow() {
	old := x.slots
	x.slots = make([]uint64, 2*len(old))
	mask := len(x.slots) - 1
	for _, s := range old {
		if s == 0 {
			continue
		}
		i := int(uint32(s>>32)) & mask
		for x.slots[i] != 0 {
			i = (i + 1) & mask
		}
		x.slots[i] = s
	}
}
