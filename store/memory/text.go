package memory

import (
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
// The rows of the most numerous tables (nodes, enterprise fields) hold a
// textRef, 8 bytes, instead of a 16-byte string header (issue 19 §2); the
// others hold strings that point into the blocks (keep).
//
// Blocks are append-only and strings never change. A value replaced by an
// upsert stays in its block until every string of the block is gone; an
// upsert that repeats a value keeps the old copy (see putAs, keepAs), so
// loading the same data again adds nothing. A block's slice in blocks is
// written once, when the block is made (the fill is counted in used), so a
// reader holding an older blocks slice (a scan reading keys without the
// lock, scan.go) reads every string made before it.
type text struct {
	blocks [][]byte
	// cur is the index + 1 of the block being filled (0: none yet), used
	// the bytes of it taken.
	cur  int
	used int
}

// textRef is a string in the text blocks: block index (bits 40–63), offset
// in the block (20–39) and length (0–19); 0 is "". A string too large to
// share a block has a block of its own and the length wholeBlock.
type textRef uint64

const (
	textBits   = 20
	textMask   = 1<<textBits - 1
	wholeBlock = textMask
	// bigText is the length above which a string gets a block of its own.
	bigText = textBlock / 16
)

// put copies s into the current block (into a block of its own when it is
// large) and returns its reference.
func (t *text) put(s string) textRef {
	if s == "" {
		return 0
	}
	if len(s) > bigText {
		t.blocks = append(t.blocks, []byte(s))
		return textRef(len(t.blocks)-1)<<(2*textBits) | wholeBlock
	}
	if t.cur == 0 || textBlock-t.used < len(s) {
		t.blocks = append(t.blocks, make([]byte, textBlock))
		t.cur, t.used = len(t.blocks), 0
	}
	start := t.used
	t.used += copy(t.blocks[t.cur-1][start:], s)
	return textRef(t.cur-1)<<(2*textBits) | textRef(start)<<textBits | textRef(len(s))
}

// putAs returns old when s is its string, else put(s).
func (t *text) putAs(old textRef, s string) textRef {
	if t.str(old) == s {
		return old
	}
	return t.put(s)
}

// str returns the string r refers to; it shares the block's bytes.
func (t *text) str(r textRef) string { return textOf(t.blocks, r) }

// textOf returns the string r refers to in blocks (a text's blocks, or an
// older copy of its slice).
func textOf(blocks [][]byte, r textRef) string {
	if r == 0 {
		return ""
	}
	b := blocks[r>>(2*textBits)]
	if n := int(r & textMask); n != wholeBlock {
		b = b[r>>textBits&textMask:][:n]
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// keep returns a copy of s in the blocks, as a string.
func (t *text) keep(s string) string { return t.str(t.put(s)) }

// keepAs returns old when s equals it, else keep(s).
func (t *text) keepAs(old, s string) string {
	if s == old {
		return old
	}
	return t.keep(s)
}
