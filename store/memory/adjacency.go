package memory

import (
	"fmt"
	"math/bits"
)

// adjacency holds every node's links (both directions) in one store-wide
// pool instead of a slice per node: per node a span of 8 bytes (where its
// list starts in the pool and how many links it has) instead of a 24-byte
// slice header and a heap object of its own (issue 19 §2: −16 B per node
// and one allocation fewer per node at 1 M enterprises).
//
// A list of n links lives in a block of capacity ceil(n) — the smallest
// power of two ≥ n — so the capacity needs no field. Appending to a full
// list moves it to a block twice as large and frees the old one; removing a
// link that leaves the list at a power of two frees the block's upper half.
// Freed blocks go on one free list per size and are reused by the next list
// that needs that size (or split for a smaller one), so the holes that moves leave are filled by the
// next lists to grow, not compacted (a bulk load grows lists of every size
// all along). A list keeps its links in the order they were added.
//
// The pool is a sequence of chunks of chunkLinks links; a block never
// crosses a chunk, and a list larger than a chunk gets a chunk of its own
// (freed with it). The chunk blocks are carved from grows by doubling, so a
// small store holds a small pool. An offset is chunk << chunkBits | index.
//
// The lists returned by list are read under the store's lock and never
// kept past it: a write may move a list and reuse its old block.
type adjacency struct {
	spans  []span
	chunks [][]link
	// free holds the head of each size's free list (class k: blocks of
	// 1 << k links) as offset + 1, 0 when empty; a free block's first link
	// holds the next one's in its other field.
	free [chunkBits + 1]uint32
	// cur is the chunk small blocks are carved from, -1 before the first.
	cur int
}

// span is a node's list: its block's offset and its length.
type span struct{ off, n uint32 }

const (
	chunkBits  = 16
	chunkLinks = 1 << chunkBits
	// maxChunks bounds the chunk index an offset can hold.
	maxChunks = 1 << (32 - chunkBits)
	// firstChunk is the capacity the first chunk starts with.
	firstChunk = 64
)

func newAdjacency() adjacency { return adjacency{cur: -1} }

// addNode gives the next node id an empty list.
func (a *adjacency) addNode() { a.spans = append(a.spans, span{}) }

// degree returns the number of links of node id.
func (a *adjacency) degree(id nodeID) int { return int(a.spans[id].n) }

// list returns node id's links; the slice is the pool's, valid until the
// next write.
func (a *adjacency) list(id nodeID) []link {
	s := a.spans[id]
	if s.n == 0 {
		return nil
	}
	c, i := s.off>>chunkBits, s.off&(chunkLinks-1)
	return a.chunks[c][i : i+s.n : i+s.n]
}

// add appends l to node id's list.
func (a *adjacency) add(id nodeID, l link) {
	s := &a.spans[id]
	if c := capOf(s.n); s.n == c {
		off := a.alloc(classOf(s.n + 1))
		if s.n > 0 {
			copy(a.block(off, s.n), a.block(s.off, s.n))
			a.release(s.off, classOf(s.n))
		}
		s.off = off
	}
	a.block(s.off, s.n+1)[s.n] = l
	s.n++
}

// remove deletes the links of node id that drop accepts, keeping the
// others in order, and frees the part of its block it no longer needs.
func (a *adjacency) remove(id nodeID, drop func(link) bool) {
	s := &a.spans[id]
	if s.n == 0 {
		return
	}
	ls := a.block(s.off, s.n)
	k := uint32(0)
	for _, l := range ls {
		if !drop(l) {
			ls[k] = l
			k++
		}
	}
	if k == s.n {
		return
	}
	from, to := classOf(s.n), classOf(k)
	switch {
	case k > 0 && from == to:
	case k == 0:
		a.release(s.off, from)
	case from > chunkBits:
		// A chunk of its own: move the list to a block of its size.
		off := a.alloc(to)
		copy(a.block(off, k), ls[:k])
		a.release(s.off, from)
		s.off = off
	default:
		// Free the upper halves the list no longer reaches.
		for c := from; c > to; c-- {
			a.release(s.off+1<<(c-1), c-1)
		}
	}
	s.n = k
}

// capOf is the capacity of a list of n links: 0 or the smallest power of two ≥ n.
func capOf(n uint32) uint32 {
	if n == 0 {
		return 0
	}
	return 1 << classOf(n)
}

// classOf is the size class of a list of n > 0 links: log2 of its capacity.
func classOf(n uint32) uint {
	return uint(bits.Len32(n - 1))
}

// block returns the n links at off.
func (a *adjacency) block(off, n uint32) []link {
	i := off & (chunkLinks - 1)
	return a.chunks[off>>chunkBits][i : i+n : i+n]
}

// head returns the first link of the block at off.
func (a *adjacency) head(off uint32) *link {
	return &a.chunks[off>>chunkBits][off&(chunkLinks-1)]
}

// alloc returns the offset of a free block of 1 << class links.
func (a *adjacency) alloc(class uint) uint32 {
	if class > chunkBits {
		return a.newChunk(make([]link, 1<<class))
	}
	// A free block of this size, else the smallest larger one split in
	// halves (the halves not used go on the free lists).
	for c := class; c <= chunkBits; c++ {
		h := a.free[c]
		if h == 0 {
			continue
		}
		off := h - 1
		a.free[c] = uint32(a.head(off).other)
		for ; c > class; c-- {
			a.release(off+1<<(c-1), c-1)
		}
		return off
	}
	size := 1 << class
	if a.cur < 0 || len(a.chunks[a.cur])+size > chunkLinks {
		if a.cur >= 0 {
			a.freeTail()
		}
		first := firstChunk // a small store's pool stays small
		if len(a.chunks) > 0 {
			first = chunkLinks
		}
		off := a.newChunk(make([]link, 0, max(first, size)))
		a.cur = int(off >> chunkBits)
	}
	c := a.chunks[a.cur]
	start := len(c)
	if start+size > cap(c) {
		grown := make([]link, start, min(chunkLinks, max(2*cap(c), start+size)))
		copy(grown, c)
		c = grown
	}
	a.chunks[a.cur] = c[:start+size]
	return uint32(a.cur)<<chunkBits | uint32(start)
}

// newChunk adds a chunk and returns its offset.
func (a *adjacency) newChunk(c []link) uint32 {
	if len(a.chunks) >= maxChunks {
		panic(fmt.Sprintf("memory store: more than %d adjacency chunks (%d links)", maxChunks, maxChunks*chunkLinks))
	}
	a.chunks = append(a.chunks, c)
	return uint32(len(a.chunks)-1) << chunkBits
}

// freeTail puts what is left of the current chunk on the free lists, as
// blocks of decreasing powers of two.
func (a *adjacency) freeTail() {
	c := a.chunks[a.cur]
	start := len(c)
	if cap(c) < chunkLinks {
		grown := make([]link, chunkLinks)
		copy(grown, c)
		c = grown
	}
	a.chunks[a.cur] = c[:chunkLinks:chunkLinks]
	for r := chunkLinks - start; r > 0; {
		class := uint(bits.Len(uint(r))) - 1
		a.release(uint32(a.cur)<<chunkBits|uint32(start), class)
		start += 1 << class
		r -= 1 << class
	}
}

// release frees the block of 1 << class links at off.
func (a *adjacency) release(off uint32, class uint) {
	if class > chunkBits {
		a.chunks[off>>chunkBits] = nil
		return
	}
	*a.head(off) = link{other: int32(a.free[class])}
	a.free[class] = off + 1
}
