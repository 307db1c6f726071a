package memory

import (
	"strings"
	"testing"
)

// TestTextRefs: strings of every size (empty, small, filling blocks, too
// large to share one) read back exactly after many blocks, through the
// blocks slice as it was when they were written, and putAs keeps the old
// reference for an equal string.
func TestTextRefs(t *testing.T) {
	var x text
	var refs []textRef
	var want []string
	for i := range 5000 {
		s := strings.Repeat(string(rune('a'+i%26)), i%700)
		switch i % 1000 {
		case 999:
			s = strings.Repeat("大", bigText) // 3 bytes a rune: a block of its own
		case 998:
			s = strings.Repeat("x", bigText) // the largest that shares a block
		}
		before := x.blocks
		r := x.put(s)
		if int(r>>(2*textBits)) < len(before) && textOf(before, r) != s {
			t.Fatalf("string %d reads differently through the blocks before it was put", i)
		}
		refs, want = append(refs, r), append(want, s)
	}
	old := x.blocks
	for i, r := range refs {
		if got := x.str(r); got != want[i] {
			t.Fatalf("string %d (%d bytes) reads back as %d bytes", i, len(want[i]), len(got))
		}
		if int(r>>(2*textBits)) < len(old) && textOf(old, r) != want[i] {
			t.Fatalf("string %d reads differently through an older blocks slice", i)
		}
	}
	if len(x.blocks) < 3 {
		t.Fatalf("%d blocks for %d strings of up to 700 bytes and large ones", len(x.blocks), len(refs))
	}
	if refs[0] != 0 || x.str(0) != "" {
		t.Fatal(`"" is not the zero reference`)
	}
	r := refs[123]
	if x.putAs(r, strings.Clone(want[123])) != r {
		t.Fatal("putAs made a new copy of an equal string")
	}
	if n := x.putAs(r, "other"); n == r || x.str(n) != "other" || x.str(r) != want[123] {
		t.Fatal("putAs of a new string changed the old one or did not store the new one")
	}
}
