package memory

import (
	"strings"
	"unsafe"
)

// textBlock is the size of the blocks the store copies its strings into.
const textBlock = 1 << 20

// text holds the store's strings (keys, names, addresses, record ids and
// texts) copied into large blocks. A value read from a file is a slice of
// its whole row (the CSV reader makes one string per row), so keeping it
// would keep every field of the row: the columns the store drops, and for
// persons the identity number the loader only hashes. Copying the fields
// kept into shared blocks keeps only their bytes, as a few large objects
// instead of millions of small ones scattered among the load's garbage.
//
// Blocks are append-only and strings never change. A value replaced by an
// upsert stays in its block until every string of the block is gone; an
// upsert that repeats a value keeps the old copy (see keepAs), so loading
// the same data again adds nothing.
type text struct {
	cur []byte
}

// keep returns a copy of s in the current block (a separate copy for a
// string too large to share a block).
func (t *text) keep(s string) string {
	if s == "" {
		return ""
	}
	if len(s) > textBlock/16 {
		return strings.Clone(s)
	}
	if cap(t.cur)-len(t.cur) < len(s) {
		t.cur = make([]byte, 0, textBlock)
	}
	start := len(t.cur)
	t.cur = append(t.cur, s...)
	return unsafe.String(&t.cur[start], len(s))
}

// keepAs returns old when s equals it, else keep(s).
func (t *text) keepAs(old, s string) string {
	if s == old {
		return old
	}
	return t.keep(s)
}
