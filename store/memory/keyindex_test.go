package memory

import (
	"fmt"
	"testing"
)

// TestKeyIndex: every key put is found as its row across the table's
// growths (rows of keys that are prefixes of each other or differ in one
// byte included), and keys never put are not.
func TestKeyIndex(t *testing.T) {
	var keys []string
	for i := range 100_000 {
		keys = append(keys, fmt.Sprintf("src:t:%d", i))
	}
	keys = append(keys, "", "a", "a\x00", "ab", "ba")
	x := newKeyIndex()
	keyOf := func(row int32) string { return keys[row] }
	for i, k := range keys {
		if _, ok := x.get(k, keyOf); ok {
			t.Fatalf("%q found before it was put", k)
		}
		x.put(k, int32(i))
	}
	if 4*x.n > 3*len(x.slots) {
		t.Errorf("%d keys in %d slots: above the ¾ load", x.n, len(x.slots))
	}
	for i, k := range keys {
		if row, ok := x.get(k, keyOf); !ok || row != int32(i) {
			t.Fatalf("get(%q) = %d, %v; want %d", k, row, ok, i)
		}
	}
	for _, k := range []string{"src:t:100000", "src:t:-1", "b", "a\x00\x00", "src:t:1 "} {
		if row, ok := x.get(k, keyOf); ok {
			t.Errorf("get(%q) = %d, want absent", k, row)
		}
	}
}

// TestKeyIndexKinds: enterprises, persons and records are indexed apart, so
// an enterprise key equal to a pid or a record id finds each in its table.
func TestKeyIndexKinds(t *testing.T) {
	g := newGraph()
	const k = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
	e := g.ensureEnterprise(k)
	p := g.ensurePerson(k)
	if e == p {
		t.Fatal("one node for an enterprise and a person of the same key")
	}
	if id, ok := g.entOf(k); !ok || id != e {
		t.Errorf("entOf = %d, %v; want %d", id, ok, e)
	}
	if id, ok := g.perOf(k); !ok || id != p {
		t.Errorf("perOf = %d, %v; want %d", id, ok, p)
	}
	if _, ok := g.recOf(k); ok {
		t.Error("recOf found a record never written")
	}
}
