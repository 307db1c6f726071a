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
// A list of n links lives in a block of the smallest size class ≥ n, so
// the capacity needs no field. The classes are 1, 2, 3 … 8 links, then
// four to each doubling (10, 12, 14, 16, 20, 24, 28, 32, 40 …): a list
// wastes at most a fifth of its block (with powers of two the blocks held
// 28 % more than the generator's links at 100 000 enterprises, with these
// 2 %). Appending to a
// full list moves it to a block of the next class and frees the old one;
// removing links frees the block's tail the list no longer reaches. Freed
// blocks go on one free list per class and are reused by the next list
// that needs that class (or split for a smaller one), so the holes that
// moves leave are filled by the next lists to grow, not compacted (a bulk
// load grows lists of every size all along). A list keeps its links in the
// order they were added.
//
// The pool is a sequence of chunks of chunkLinks links; a block never
// crosses a chunk, and a list larger than a chunk gets a chunk of its own
// (freed with it). The first chunk starts at firstChunk links and doubles
// as blocks are carved from it, so a small store holds a small pool. An offset is chunk << chunkBits | index.
//
// The lists returned by list are read under the store's lock and never
// kept past it: a write may move a list and reuse its old block.
type adjacency struct {
	spans  []span
	chunks [][]link
	// free holds the head of each class's free list as offset + 1, 0
	// when empty; a free block's first link holds the next one's in its
	// other field.
	free [smallClasses]uint32
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
	// smallClasses are the classes whose blocks fit in a chunk (sizes up
	// to chunkLinks); a larger one has a chunk of its own.
	smallClasses = 4 + 4*(chunkBits-2)
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
	if s.n == capOf(s.n) {
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
	from := classOf(s.n)
	switch {
	case k == 0:
		a.release(s.off, from)
	case classOf(k) == from:
	case from >= smallClasses:
		// A chunk of its own: move the list to a block of its size.
		off := a.alloc(classOf(k))
		copy(a.block(off, k), ls[:k])
		a.release(s.off, from)
		s.off = off
	default:
		// Free the tail the list no longer reaches.
		a.releaseRange(s.off+capOf(k), classSize(from)-capOf(k))
	}
	s.n = k
}

// capOf is the capacity of a list of n links: 0 or its class's size.
func capOf(n uint32) uint32 {
	if n == 0 {
		return 0
	}
	return classSize(classOf(n))
}

// classOf is the class of a list of n > 0 links: the smallest whose size
// is ≥ n.
func classOf(n uint32) uint {
	if n <= 4 {
		return uint(n - 1)
	}
	g := uint(bits.Len32(n-1)) - 3 // 4 << g < n ≤ 8 << g
	q := (uint64(n) - 4<<g + 1<<g - 1) >> g
	return 4 + 4*g + uint(q) - 1
}

// classSize is the number of links of a block of class k: k + 1 up to 4,
// then 4 << g plus 1 … 4 steps of 1 << g, for g = 0, 1 ….
func classSize(k uint) uint32 {
	if k < 4 {
		return uint32(k + 1)
	}
	g, q := (k-4)/4, (k-4)%4+1
	return uint32(4<<g + q<<g)
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

// alloc returns the offset of a free block of class.
func (a *adjacency) alloc(class uint) uint32 {
	size := int(classSize(class))
	if class >= smallClasses {
		return a.newChunk(make([]link, size))
	}
	// A free block of this class, else the smallest larger one, whose
	// rest goes back on the free lists.
	for c := class; c < smallClasses; c++ {
		h := a.free[c]
		if h == 0 {
			continue
		}
		off := h - 1
		a.free[c] = uint32(a.head(off).other)
		a.releaseRange(off+uint32(size), classSize(c)-uint32(size))
		return off
	}
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

// freeTail puts what is left of the current chunk on the free lists.
func (a *adjacency) freeTail() {
	c := a.chunks[a.cur]
	start := len(c)
	if cap(c) < chunkLinks {
		grown := make([]link, chunkLinks)
		copy(grown, c)
		c = grown
	}
	a.chunks[a.cur] = c[:chunkLinks:chunkLinks]
	a.releaseRange(uint32(a.cur)<<chunkBits|uint32(start), uint32(chunkLinks-start))
}

// releaseRange frees the n links at off (in one chunk, n ≤ chunkLinks) as
// blocks of the largest classes that fit.
func (a *adjacency) releaseRange(off, n uint32) {
	for n > 0 {
		k := classOf(n)
		if classSize(k) > n {
			k--
		}
		a.release(off, k)
		off += classSize(k)
		n -= classSize(k)
	}
}

// release frees the block of class at off.
func (a *adjacency) release(off uint32, class uint) {
	if class >= smallClasses {
		a.chunks[off>>chunkBits] = nil
		return
	}
	*a.head(off) = link{other: int32(a.free[class])}
	a.free[class] = off + 1
}
