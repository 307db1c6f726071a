package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"unsafe"

	"riskgraph/store"
)

// keyTableKeys returns n keys of varied lengths: empty ones among them
// (at a block's first and last index too), long ones, and duplicates.
func keyTableKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		switch {
		case i%keyBlock == 0 || i%keyBlock == keyBlock-1 || i%977 == 0:
			keys[i] = ""
		case i%1001 == 0:
			keys[i] = strings.Repeat(fmt.Sprint(i%10), 300+i%50)
		case i%2 == 0:
			keys[i] = fmt.Sprintf("9133%014d", i)
		default:
			keys[i] = fmt.Sprintf("%032x", uint64(i)*0x9e3779b97f4a7c15)
		}
	}
	keys[7] = keys[5] // a duplicate
	return keys
}

// TestKeyTableCopied: every string comes back where it was added, at the
// ends of blocks and across them, empty ones included; strings read
// before later appends (which grow and trim blocks) stay unchanged; and
// the table holds copies, not the strings it was given.
func TestKeyTableCopied(t *testing.T) {
	keys := keyTableKeys(3*keyBlock + 17)
	var tab KeyTable
	var early []string
	for i, k := range keys {
		if id := tab.add(k); id != int32(i) {
			t.Fatalf("add %d returned %d", i, id)
		}
		if i%5000 == 3 {
			early = append(early, tab.At(int32(i)))
		}
		if i == keyBlock-2 || i == keyBlock || i == 2*keyBlock+1 {
			// read back right after a block boundary, before the next append
			for j := max(0, i-2); j <= i; j++ {
				if got := tab.At(int32(j)); got != keys[j] {
					t.Fatalf("while adding: At(%d) = %q, want %q", j, got, keys[j])
				}
			}
		}
	}
	tab.done()
	if tab.Len() != len(keys) {
		t.Fatalf("Len %d, want %d", tab.Len(), len(keys))
	}
	for i, k := range keys {
		if got := tab.At(int32(i)); got != k {
			t.Fatalf("At(%d) = %q, want %q", i, got, k)
		}
	}
	for n, i := 0, 3; i < len(keys); i, n = i+5000, n+1 {
		if early[n] != keys[i] {
			t.Fatalf("string %d read while adding is now %q, want %q", i, early[n], keys[i])
		}
	}
	for i, k := range keys {
		if k != "" && unsafe.StringData(tab.At(int32(i))) == unsafe.StringData(k) {
			t.Fatalf("At(%d) aliases the string it was given; a copied table must copy", i)
		}
	}
	if got := tab.Strings(); len(got) != len(keys) || got[keyBlock] != keys[keyBlock] || got[keyBlock+1] != keys[keyBlock+1] {
		t.Fatalf("Strings: %d strings, [%d] = %q", len(got), keyBlock+1, got[keyBlock+1])
	}
	if len(tab.blocks) != 4 {
		t.Errorf("%d blocks for %d keys, want 4", len(tab.blocks), len(keys))
	}
}

// TestKeyTableShared: a shared table hands back the strings it was given
// (no copy), and share has no effect once strings were added.
func TestKeyTableShared(t *testing.T) {
	keys := keyTableKeys(keyBlock + 3)
	var tab KeyTable
	tab.share(true)
	tab.reserve(len(keys))
	for _, k := range keys {
		tab.add(k)
	}
	tab.done()
	for i, k := range keys {
		got := tab.At(int32(i))
		if got != k || unsafe.StringData(got) != unsafe.StringData(k) {
			t.Fatalf("At(%d) = %q, not the string given (%q)", i, got, k)
		}
	}
	var cp KeyTable
	cp.add("a")
	cp.share(true)
	cp.add("b")
	if cp.shared || cp.At(0) != "a" || cp.At(1) != "b" {
		t.Fatalf("share after add switched the table (shared %v, %q %q)", cp.shared, cp.At(0), cp.At(1))
	}
}

// TestStrIndexOverKeyTable: the index finds every key of a copied table
// across blocks, including keys looked up after later appends moved
// their block, and finds nothing for keys never added.
func TestStrIndexOverKeyTable(t *testing.T) {
	keys := keyTableKeys(2*keyBlock + 9)
	x := newStrIndex()
	var tab KeyTable
	ids := map[string]int32{}
	for _, k := range keys {
		id, slot, h := x.find(k, &tab)
		if want, seen := ids[k]; seen {
			if id != want {
				t.Fatalf("%q: found %d, want %d", k, id, want)
			}
			continue
		}
		if id >= 0 {
			t.Fatalf("%q found as %q before it was added", k, tab.At(id))
		}
		ids[k] = tab.add(k)
		x.insert(slot, h, ids[k])
		if k == keys[keyBlock-3] { // lookups of the first block while the second fills
			for _, old := range keys[:keyBlock-3] {
				if id, ok := x.get(old, &tab); !ok || id != ids[old] {
					t.Fatalf("get(%q) = %d %v after appends, want %d", old, id, ok, ids[old])
				}
			}
		}
	}
	tab.done()
	for k, want := range ids {
		if id, ok := x.get(k, &tab); !ok || id != want || tab.At(id) != k {
			t.Fatalf("get(%q) = %d %v, want %d", k, id, ok, want)
		}
	}
	for _, k := range []string{"x", fmt.Sprintf("9133%014d", 1), strings.Repeat("0", 32)} {
		if id, ok := x.get(k, &tab); ok {
			t.Errorf("get(%q) found %q", k, tab.At(id))
		}
	}
}

// scanOnly hides everything of a store but Scan: the projection then
// reads pages without node numbers and without StringsKept.
type scanOnly struct{ s store.Scanner }

func (x scanOnly) Scan(ctx context.Context, size int, fn func(*store.Batch) error) error {
	return x.s.Scan(ctx, size, fn)
}

// TestProjectKeysSharedOrCopied: projected from the memory store, whose
// scan says its strings are its own, the graph keeps the store's key and
// record id strings (two projections share them: the memory store's run
// must not copy what the store keeps anyway); projected from a scan
// without that promise, it copies them, and finds every entity by key.
func TestProjectKeysSharedOrCopied(t *testing.T) {
	gs := generated(t, 2000)
	ctx := context.Background()
	g1 := gs.graph
	g2, err := Project(ctx, gs.store)
	if err != nil {
		t.Fatal(err)
	}
	g3, err := Project(ctx, scanOnly{gs.store})
	if err != nil {
		t.Fatal(err)
	}
	if !g1.Keys.shared || !g1.RecordIDs.shared || g3.Keys.shared || g3.RecordIDs.shared {
		t.Fatalf("shared: memory store %v/%v, plain scan %v/%v; want true, false",
			g1.Keys.shared, g1.RecordIDs.shared, g3.Keys.shared, g3.RecordIDs.shared)
	}
	if g1.Keys.Len() != g1.N() || g3.Keys.Len() != g1.N() || g3.RecordIDs.Len() != len(g1.Records) {
		t.Fatalf("%d and %d keys for %d nodes, %d record ids for %d records", g1.Keys.Len(), g3.Keys.Len(), g1.N(), g3.RecordIDs.Len(), len(g1.Records))
	}
	for v := range int32(g1.N()) {
		k1, k2, k3 := g1.Keys.At(v), g2.Keys.At(v), g3.Keys.At(v)
		if k1 != k2 || k1 != k3 {
			t.Fatalf("node %d: keys %q, %q, %q", v, k1, k2, k3)
		}
		if !g1.IsEntity(v) {
			continue
		}
		if unsafe.StringData(k1) != unsafe.StringData(k2) {
			t.Fatalf("node %d (%s): two projections of the memory store hold two copies of its key", v, k1)
		}
		if unsafe.StringData(k1) == unsafe.StringData(k3) {
			t.Fatalf("node %d (%s): a projection of a plain scan keeps the scanned row's string", v, k1)
		}
		if w, ok := g3.Lookup(g1.Ref(v)); !ok || w != v {
			t.Fatalf("node %d (%s): found %d %v in the copied projection", v, g1.Ref(v), w, ok)
		}
	}
	for i := range int32(len(g1.Records)) {
		r1, r2, r3 := g1.RecordIDs.At(i), g2.RecordIDs.At(i), g3.RecordIDs.At(i)
		if r1 != r2 || r1 != r3 || unsafe.StringData(r1) != unsafe.StringData(r2) {
			t.Fatalf("record %d: ids %q, %q, %q (the first two must be the store's string)", i, r1, r2, r3)
		}
	}
}
