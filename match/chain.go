package match

import "iter"

// chain is a multimap from a string to positions (of enterprises or
// persons) that needs no slice per key: head holds each key's first
// position and next[i] the position after i (-1 at the end). Most keys
// (a phone, an e-mail, a person's name) have one position, so this costs
// a map slot and 4 bytes per position instead of a slice header and a
// small allocation per key.
type chain struct {
	head map[string]int32
	next []int32
}

func newChain() chain { return chain{head: map[string]int32{}} }

// add puts position i under key k.
func (c *chain) add(k string, i int32) {
	for int(i) >= len(c.next) {
		c.next = append(c.next, -1)
	}
	if h, ok := c.head[k]; ok {
		c.next[i] = h
	} else {
		c.next[i] = -1
	}
	c.head[k] = i
}

// remove takes position i from under key k.
func (c *chain) remove(k string, i int32) {
	h, ok := c.head[k]
	if !ok {
		return
	}
	if h == i {
		if n := c.next[i]; n >= 0 {
			c.head[k] = n
		} else {
			delete(c.head, k)
		}
		c.next[i] = -1
		return
	}
	for p := h; c.next[p] >= 0; p = c.next[p] {
		if c.next[p] == i {
			c.next[p] = c.next[i]
			c.next[i] = -1
			return
		}
	}
}

// all yields the positions under key k.
func (c *chain) all(k string) iter.Seq[int32] {
	return func(yield func(int32) bool) {
		i, ok := c.head[k]
		if !ok {
			return
		}
		for ; i >= 0; i = c.next[i] {
			if !yield(i) {
				return
			}
		}
	}
}
