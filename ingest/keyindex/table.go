package keyindex

// table maps the keys of an index's memory part to their slots (0…n−1,
// in insertion order) by open addressing with linear probing. A Key is a
// hash already (Hasher), so its low bits are its home position and a
// look-up usually reads one cache line; a Go map of 16-byte keys reads
// its control word, then the slot's group, at ≈ 1 µs per miss at a
// million keys.
type table struct {
	entries []entry // power-of-two length, at most three quarters full
	n       int
}

// entry is a key and its slot + 1 (0: empty).
type entry struct {
	k    Key
	slot int32
}

const minTableSize = 1 << 10

// get returns k's slot.
func (t *table) get(k Key) (int32, bool) {
	if len(t.entries) == 0 {
		return 0, false
	}
	mask := uint64(len(t.entries) - 1)
	for i := k.Lo & mask; ; i = (i + 1) & mask {
		e := &t.entries[i]
		if e.slot == 0 {
			return 0, false
		}
		if e.k == k {
			return e.slot - 1, true
		}
	}
}

// add records slot for k, which the table does not hold.
func (t *table) add(k Key, slot int32) {
	if 4*(t.n+1) > 3*len(t.entries) {
		t.grow()
	}
	t.place(k, slot)
	t.n++
}

func (t *table) place(k Key, slot int32) {
	mask := uint64(len(t.entries) - 1)
	i := k.Lo & mask
	for t.entries[i].slot != 0 {
		i = (i + 1) & mask
	}
	t.entries[i] = entry{k: k, slot: slot + 1}
}

// grow doubles the table and places every key again.
func (t *table) grow() {
	old := t.entries
	t.entries = make([]entry, max(minTableSize, 2*len(old)))
	for _, e := range old {
		if e.slot != 0 {
			t.place(e.k, e.slot-1)
		}
	}
}

// appendKeys appends the keys the table holds to dst.
func (t *table) appendKeys(dst []Key) []Key {
	for _, e := range t.entries {
		if e.slot != 0 {
			dst = append(dst, e.k)
		}
	}
	return dst
}

// reset empties the table and keeps its memory.
func (t *table) reset() {
	clear(t.entries)
	t.n = 0
}
