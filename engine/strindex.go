package engine

import "hash/maphash"

// strIndex maps strings to int32 ids for the projection without a Go map:
// open addressing with linear probing over a pointer-free table, so the
// garbage collector never scans it and growing it never rehashes a string.
// Each slot packs a 32-bit hash of the key (high half) and id+1 (low half;
// 0 is an empty slot). The keys live in the caller's KeyTable, indexed by
// id. The table grows when it is three quarters full: a slot is 8 bytes,
// so at 2.1 M persons (1 M enterprises) it holds 4 M slots (32 MiB) where
// growing at half full took 8 M; a probe reads the stored hashes, eight
// slots to a cache line, and compares a key only on a hash match.
type strIndex struct {
	seed  maphash.Seed
	slots []uint64
	n     int
}

func newStrIndex() strIndex { return strIndex{seed: maphash.MakeSeed(), slots: make([]uint64, 1024)} }

// hash is key's hash in this index.
func (x *strIndex) hash(key string) uint32 { return uint32(maphash.String(x.seed, key)) }

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
