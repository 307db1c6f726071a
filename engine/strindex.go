package engine

import "hash/maphash"

// strIndex maps strings to int32 ids for the projection without a Go map:
// open addressing with linear probing over a pointer-free table, so the
// garbage collector never scans it and growing it never reads a key.
//
// Keys of the usual shapes are coded into 128 bits kept in the slot, so a
// lookup reads one slot and never the stored key: enterprise keys and
// USCCs (up to 20 characters of [0-9A-Za-z]) and pids (32 lowercase hex
// digits). Other keys (normalised addresses, source keys) keep their 64-bit
// hash in the slot and are compared with the stored key, which lives in
// the caller's slice, indexed by id.
type strIndex struct {
	seed  maphash.Seed
	slots []keySlot
	n     int
}

// keyCode is a key's code: its value for the coded shapes, its hash
// (a) for the others.
type keyCode struct {
	a, b uint64
	tag  uint32
}

// Code tags; tagEmpty marks an empty slot.
const (
	tagEmpty uint32 = iota
	tagHex          // 32 lowercase hex digits: the 128-bit number (a high, b low)
	tagAlnum        // 1 to 20 of [0-9A-Za-z]: 10 per word in base 63, digits 1..62, 0 pads
	tagHash         // anything else: a is the key's maphash
)

// keySlot is one slot of the table (24 bytes).
type keySlot struct {
	keyCode
	id int32
}

// alnum maps a byte to its digit in the alphanumeric code (0: not coded).
var alnum = func() (t [256]uint8) {
	d := uint8(1)
	for _, r := range [][2]byte{{'0', '9'}, {'A', 'Z'}, {'a', 'z'}} {
		for c := r[0]; c <= r[1]; c++ {
			t[c] = d
			d++
		}
	}
	return t
}()

// hexDigit maps a byte to its value as a lowercase hex digit plus one (0: not one).
var hexDigit = func() (t [256]uint8) {
	for c := '0'; c <= '9'; c++ {
		t[c] = uint8(c-'0') + 1
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = uint8(c-'a') + 11
	}
	return t
}()

func newStrIndex() strIndex { return strIndex{seed: maphash.MakeSeed(), slots: make([]keySlot, 1024)} }

// code returns the code of key. Different keys have different codes: the
// tags separate the shapes, and within a shape the code is the key.
func (x *strIndex) code(key string) keyCode {
	if len(key) == 32 {
		var a, b uint64
		ok := uint8(1)
		for i := 0; i < 16; i++ {
			d, e := hexDigit[key[i]], hexDigit[key[16+i]]
			ok &= min(d, 1) & min(e, 1)
			a = a<<4 | uint64(d-1)&15
			b = b<<4 | uint64(e-1)&15
		}
		if ok == 1 {
			return keyCode{a, b, tagHex}
		}
	}
	if len(key) >= 1 && len(key) <= 20 {
		var w [2]uint64
		ok := true
		for i := 0; i < 20; i++ {
			var d uint8
			if i < len(key) {
				if d = alnum[key[i]]; d == 0 {
					ok = false
					break
				}
			}
			w[i/10] = w[i/10]*63 + uint64(d)
		}
		if ok {
			return keyCode{w[0], w[1], tagAlnum}
		}
	}
	return keyCode{a: maphash.String(x.seed, key), tag: tagHash}
}

// hash spreads a code over the table (the maphash of other keys is used as is).
func (c *keyCode) hash() uint64 {
	if c.tag == tagHash {
		return c.a
	}
	h := c.a*0x9E3779B97F4A7C15 ^ c.b
	h ^= h >> 31
	h *= 0xBF58476D1CE4E5B9
	return h ^ h>>29
}

// find returns the id of key, or -1 and the slot where it would go, with
// the key's code for insert.
func (x *strIndex) find(key string, keys []string) (id int32, slot int, c keyCode) {
	c = x.code(key)
	mask := len(x.slots) - 1
	for i := int(c.hash()) & mask; ; i = (i + 1) & mask {
		s := &x.slots[i]
		if s.tag == tagEmpty {
			return -1, i, c
		}
		if s.keyCode == c && (c.tag != tagHash || keys[s.id] == key) {
			return s.id, i, c
		}
	}
}

// get returns the id of key.
func (x *strIndex) get(key string, keys []string) (int32, bool) {
	if x.n == 0 {
		return 0, false
	}
	id, _, _ := x.find(key, keys)
	return id, id >= 0
}

// insert puts id at the slot find returned (the key must be absent).
func (x *strIndex) insert(slot int, c keyCode, id int32) {
	x.slots[slot] = keySlot{c, id}
	x.n++
	if 4*x.n > 3*len(x.slots) {
		x.grow()
	}
}

// grow doubles the table; positions come from the stored codes.
func (x *strIndex) grow() {
	old := x.slots
	x.slots = make([]keySlot, 2*len(old))
	mask := len(x.slots) - 1
	for j := range old {
		s := &old[j]
		if s.tag == tagEmpty {
			continue
		}
		i := int(s.hash()) & mask
		for x.slots[i].tag != tagEmpty {
			i = (i + 1) & mask
		}
		x.slots[i] = *s
	}
}
