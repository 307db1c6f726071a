package engine

import (
	"math"
	"unsafe"
)

// KeyTable holds strings by index (int32): a graph's node keys, its record
// ids. It keeps them in one of two ways, chosen once by the projection
// before the first string is added:
//
//   - copied (the default): the bytes of every string in blocks, each block
//     holding the bytes of keyBlock consecutive strings, and one uint32 per
//     string (where it ends in its block). A string costs its length plus
//     4 bytes, instead of a 16-byte header plus an allocation of its own
//     rounded up to the allocator's size class (24 bytes for an 18-byte
//     USCC, 32 for a 32-byte pid) when every key comes from its own
//     allocation, as the Neo4j driver makes them. The blocks hold no
//     pointers, so the collector never scans them.
//   - shared: the strings themselves, when the scan says they are the
//     store's own long-lived copies (store.ProjectionPage.StringsKept, the
//     memory store): a header of 16 bytes each and no copy of the bytes,
//     which the store keeps anyway.
//
// At returns a string that aliases the table (no copy); it stays valid as
// long as it is referenced, even after the table grows. Strings may be
// empty. A table is built by one goroutine (add); once built it is only
// read, by any number.
type KeyTable struct {
	shared bool
	strs   []string // the strings, when shared
	// blocks[b] holds the bytes of strings [b·keyBlock, (b+1)·keyBlock);
	// ends[i] is where string i ends in its block (it starts where string
	// i-1 ends, or at 0 for a block's first).
	blocks [][]byte
	ends   []uint32
	// tooLong is set when a block would pass 4 GiB (strings of 64 KiB on
	// average); the projection then refuses the graph (checkSize).
	tooLong bool
}

// keyBlockBits sets the strings per block: 65 536, about 1.5 MiB of keys
// and pids per block.
const (
	keyBlockBits = 16
	keyBlock     = 1 << keyBlockBits
	keyBlockMask = keyBlock - 1
)

// firstKeyBlock is the first block's capacity; later blocks start with the
// size of the block before them plus a sixteenth.
const firstKeyBlock = 64 << 10

// Len is the number of strings.
func (t *KeyTable) Len() int {
	if t.shared {
		return len(t.strs)
	}
	return len(t.ends)
}

// At returns string i (0 ≤ i < Len()).
func (t *KeyTable) At(i int32) string {
	if t.shared {
		return t.strs[i]
	}
	end := t.ends[i]
	var start uint32
	if i&keyBlockMask != 0 {
		start = t.ends[i-1]
	}
	if end == start {
		return ""
	}
	return unsafe.String(&t.blocks[i>>keyBlockBits][start], end-start)
}

// Strings returns every string in order (a new slice whose strings alias
// the table).
func (t *KeyTable) Strings() []string {
	out := make([]string, t.Len())
	for i := range out {
		out[i] = t.At(int32(i))
	}
	return out
}

// share makes an empty table keep the strings it is given instead of
// copying them (see KeyTable).
func (t *KeyTable) share(on bool) {
	if t.Len() == 0 {
		t.shared = on
	}
}

// reserve makes room for n more strings' indexes (not their bytes).
func (t *KeyTable) reserve(n int) {
	if t.shared {
		t.strs = growTo(t.strs, len(t.strs)+n)
		return
	}
	t.ends = growTo(t.ends, len(t.ends)+n)
}

// growTo returns s with capacity for at least n elements.
func growTo[T any](s []T, n int) []T {
	if n <= cap(s) {
		return s
	}
	grown := make([]T, len(s), n)
	copy(grown, s)
	return grown
}

// add appends s and returns its index.
func (t *KeyTable) add(s string) int32 {
	if t.shared {
		t.strs = append(t.strs, s)
		return int32(len(t.strs) - 1)
	}
	i := len(t.ends)
	b := i >> keyBlockBits
	if b == len(t.blocks) {
		size := firstKeyBlock
		if b > 0 {
			t.trim(b - 1)
			prev := len(t.blocks[b-1])
			size = max(size, prev+prev/16)
		}
		t.blocks = append(t.blocks, make([]byte, 0, size))
	}
	blk := t.blocks[b]
	if uint64(len(blk))+uint64(len(s)) > math.MaxUint32 {
		t.tooLong, s = true, "" // refused by checkSize
	}
	blk = append(blk, s...)
	t.blocks[b] = blk
	t.ends = append(t.ends, uint32(len(blk)))
	return int32(i)
}

// trim gives a full block's unused capacity back when it is more than an
// eighth of what it holds (the strings At returned before keep the old
// copy alive, unchanged, as long as they are referenced).
func (t *KeyTable) trim(b int) {
	blk := t.blocks[b]
	if cap(blk)-len(blk) > len(blk)/8 {
		t.blocks[b] = append([]byte(nil), blk...)
	}
}

// done trims the last block once the table is complete.
func (t *KeyTable) done() {
	if n := len(t.blocks); n > 0 {
		t.trim(n - 1)
	}
}
