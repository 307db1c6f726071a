package memory

import "hash/maphash"

// keyIndex maps the keys of a table (enterprise keys, pids, record ids) to
// their row numbers without holding the keys: the rows hold them (in the
// text blocks, text.go), and the index holds, per key, one 8-byte slot of
// a pointer-free table — the key's 32-bit hash (high half) and row+1 (low
// half; 0 is an empty slot) — with open addressing and linear probing at a
// load of at most ¾. A Go map[string]int32 holds a 16-byte string header
// and the row per entry, with its own slack: ≈ 40 B per key against
// 11–21 B here, and the collector scans it, which it never does a
// pointer-free table. A key's bytes are compared only when its stored hash
// matches, so a look-up costs one string comparison almost always.
type keyIndex struct {
	seed  maphash.Seed
	slots []uint64
	n     int
}

func newKeyIndex() keyIndex { return keyIndex{seed: maphash.MakeSeed()} }

// get returns the row of key; keyOf gives the key of a row.
func (x *keyIndex) get(key string, keyOf func(int32) string) (int32, bool) {
	if x.n == 0 {
		return 0, false
	}
	h := uint32(maphash.String(x.seed, key))
	mask := len(x.slots) - 1
	for i := int(h) & mask; ; i = (i + 1) & mask {
		s := x.slots[i]
		if s == 0 {
			return 0, false
		}
		if uint32(s>>32) == h {
			if row := int32(uint32(s)) - 1; keyOf(row) == key {
				return row, true
			}
		}
	}
}

// put adds key (absent from the index) as row.
func (x *keyIndex) put(key string, row int32) {
	if 4*(x.n+1) > 3*len(x.slots) {
		x.grow()
	}
	x.place(uint64(uint32(maphash.String(x.seed, key)))<<32 | uint64(uint32(row+1)))
	x.n++
}

// place stores slot s in the first free place from its hash on.
func (x *keyIndex) place(s uint64) {
	mask := len(x.slots) - 1
	i := int(uint32(s>>32)) & mask
	for x.slots[i] != 0 {
		i = (i + 1) & mask
	}
	x.slots[i] = s
}

// grow doubles the table; positions come from the stored hashes, so no key
// is read.
func (x *keyIndex) grow() {
	old := x.slots
	x.slots = make([]uint64, max(1024, 2*len(old)))
	for _, s := range old {
		if s != 0 {
			x.place(s)
		}
	}
}
