package memory

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"riskgraph/models"
	"riskgraph/store"
)

// checkAdjacency compares every list with the model's and checks that no
// two lists share a link of the pool and that no free block overlaps a list.
func checkAdjacency(t *testing.T, a *adjacency, want [][]link) {
	t.Helper()
	type slot struct{ chunk, i int }
	owner := map[slot]int{}
	for id := range want {
		got := a.list(nodeID(id))
		if !slices.Equal(got, want[id]) {
			t.Fatalf("node %d: %d links %v, want %d %v", id, len(got), head(got), len(want[id]), head(want[id]))
		}
		if s := a.spans[id]; s.n > 0 {
			c, i := int(s.off>>chunkBits), int(s.off&(chunkLinks-1))
			for k := range int(capOf(s.n)) {
				if o, dup := owner[slot{c, i + k}]; dup {
					t.Fatalf("node %d's block overlaps node %d's at chunk %d index %d", id, o, c, i+k)
				}
				owner[slot{c, i + k}] = id
			}
		}
	}
	for class, h := range a.free {
		for n := 0; h != 0; n++ {
			off := h - 1
			c, i := int(off>>chunkBits), int(off&(chunkLinks-1))
			for k := range int(classSize(uint(class))) {
				if o, used := owner[slot{c, i + k}]; used {
					t.Fatalf("free block of class %d at chunk %d index %d overlaps node %d's list", class, c, i, o)
				}
			}
			if n > 1<<24 {
				t.Fatalf("free list of class %d loops", class)
			}
			h = uint32(a.head(off).other)
		}
	}
}

func head(ls []link) []link { return ls[:min(len(ls), 8)] }

// TestAdjacencyAgainstModel adds and removes links at random, as loads
// and record moves do, and compares every list after each round with a
// slice per node: a link lost, duplicated or reordered by a move to a
// larger block, a freed half or a reused free block fails it.
func TestAdjacencyAgainstModel(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	a := newAdjacency()
	var want [][]link
	next := int32(0)
	for round := range 60 {
		for range 1 + r.IntN(40) {
			a.addNode()
			want = append(want, nil)
		}
		for range 2000 {
			id := nodeID(r.IntN(len(want)))
			if r.IntN(4) == 0 {
				id = nodeID(r.IntN(min(len(want), 5))) // a few hubs
			}
			if len(want[id]) > 0 && r.IntN(5) == 0 {
				// Remove one link (a record moving away) or, now and
				// then, every link of one type.
				drop := want[id][r.IntN(len(want[id]))]
				pred := func(l link) bool { return l == drop }
				if r.IntN(10) == 0 {
					pred = func(l link) bool { return l.typ == drop.typ }
				}
				a.remove(id, pred)
				want[id] = slices.DeleteFunc(want[id], pred)
				continue
			}
			l := link{other: next, rel: next * 3, typ: relType(r.IntN(7)), out: r.IntN(2) == 0}
			next++
			a.add(id, l)
			want[id] = append(want[id], l)
		}
		if round%10 == 9 {
			checkAdjacency(t, &a, want)
		}
	}
	checkAdjacency(t, &a, want)
}

// TestAdjacencyLargeList grows one list past a chunk (its own chunk, then
// a larger one) and shrinks it back below, beside small lists.
func TestAdjacencyLargeList(t *testing.T) {
	a := newAdjacency()
	want := make([][]link, 3)
	for range 3 {
		a.addNode()
	}
	for i := range int32(3*chunkLinks + 5) {
		id := nodeID(0)
		if i%1000 == 0 {
			id = nodeID(1 + i%2)
		}
		l := link{other: i, rel: i, typ: relShares, out: true}
		a.add(id, l)
		want[id] = append(want[id], l)
	}
	checkAdjacency(t, &a, want)
	if n := len(a.chunks); n < 2 {
		t.Fatalf("%d chunks for %d links", n, 3*chunkLinks)
	}
	drop := func(l link) bool { return l.other%4 != 0 }
	a.remove(0, drop)
	want[0] = slices.DeleteFunc(want[0], drop)
	checkAdjacency(t, &a, want)
	a.remove(0, func(link) bool { return true })
	want[0] = nil
	checkAdjacency(t, &a, want)
	// The freed blocks are reused: a list as large again adds no chunk.
	chunks := len(a.chunks)
	for i := range int32(1000) {
		l := link{other: i, rel: i, typ: relBranch}
		a.add(2, l)
		want[2] = append(want[2], l)
	}
	checkAdjacency(t, &a, want)
	if len(a.chunks) != chunks {
		t.Fatalf("%d chunks after adding 1 000 links to freed space, was %d", len(a.chunks), chunks)
	}
}

// TestAdjacencyThroughWritesAndRestart: a hub whose list moves to larger
// blocks many times, records that move to another subject (their links
// leave one list and join another), shareholdings written again (found in
// the lists, not added twice): each node's relationships are exactly the
// model's in the process, after a compaction and after a restart.
func TestAdjacencyThroughWritesAndRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := openDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[models.Ref][]string{}
	rel := func(typ models.RelType, from, to models.Ref, prop string) {
		e := fmt.Sprintf("%s %s→%s %s", typ, from, to, prop)
		want[from] = append(want[from], e)
		if to.Kind != models.KindRecord {
			want[to] = append(want[to], e)
		}
	}
	hub, other := models.EnterpriseRef("hub"), models.EnterpriseRef("other")
	b := &store.Batch{Enterprises: []models.Enterprise{{Key: "hub", Name: "Hub"}, {Key: "other", Name: "Other"}}}
	for i := range 300 {
		pid := fmt.Sprintf("p%03d", i)
		b.Persons = append(b.Persons, models.Person{PID: pid, Name: "P"})
		b.Shareholdings = append(b.Shareholdings, models.Shareholding{Holder: models.PersonRef(pid), Enterprise: "hub", Ratio: 0.001})
		if i%3 == 0 {
			b.Roles = append(b.Roles, models.Role{Person: pid, Enterprise: "other", Kind: models.RoleOfficer, Title: "director"})
		}
	}
	for i := range 40 {
		b.Records = append(b.Records, models.Record{ID: fmt.Sprintf("r%02d", i), Subject: hub, Kind: models.RecordPenalty, Severity: 0.5})
	}
	if err := s.WriteBatch(ctx, b); err != nil {
		t.Fatal(err)
	}
	// Half the records move to other and back to hub's person p000; the
	// holdings are written again with a new ratio; more holdings grow the hub.
	b = &store.Batch{}
	for i := range 40 {
		subject := hub
		switch i % 4 {
		case 1:
			subject = other
		case 3:
			subject = models.PersonRef("p000")
		}
		b.Records = append(b.Records, models.Record{ID: fmt.Sprintf("r%02d", i), Subject: subject, Kind: models.RecordPenalty, Severity: 0.5})
		rel(models.RelHasRecord, subject, models.RecordRef(fmt.Sprintf("r%02d", i)), "")
	}
	for i := range 400 {
		pid := fmt.Sprintf("p%03d", i)
		if i >= 300 {
			b.Persons = append(b.Persons, models.Person{PID: pid, Name: "P"})
		}
		b.Shareholdings = append(b.Shareholdings, models.Shareholding{Holder: models.PersonRef(pid), Enterprise: "hub", Ratio: 0.002})
		rel(models.RelHoldsShares, models.PersonRef(pid), hub, "0.002")
		if i < 300 && i%3 == 0 {
			rel(models.RelOfficerOf, models.PersonRef(pid), other, "")
		}
	}
	if err := s.WriteBatch(ctx, b); err != nil {
		t.Fatal(err)
	}
	check := func(when string, s *Store) {
		t.Helper()
		for ref, w := range want {
			edges, _, err := s.Expand(ctx, []models.Ref{ref}, nil)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range edges {
				prop := ""
				if e.Type == models.RelHoldsShares {
					prop = fmt.Sprint(e.Props["ratio"])
				}
				got = append(got, fmt.Sprintf("%s %s→%s %s", e.Type, e.From, e.To, prop))
			}
			slices.Sort(got)
			w = slices.Sorted(slices.Values(w))
			if !slices.Equal(got, w) {
				t.Fatalf("%s: %s has %d relationships, want %d:\n%v\nwant\n%v", when, ref, len(got), len(w), head2(got), head2(w))
			}
		}
		recs, err := s.Records(ctx, other)
		if err != nil || len(recs) != 10 {
			t.Fatalf("%s: %d records of other (%v), want 10", when, len(recs), err)
		}
	}
	check("after the writes", s)
	if _, err := s.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	check("after compaction", s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = openDir(dir); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	check("after a restart", s)
}

func head2(s []string) []string { return s[:min(len(s), 5)] }

// TestAdjacencyClasses: every length's class is the smallest that holds
// it, wastes at most a fifth of its block past 8 links, and the last class
// that fits a chunk is a whole chunk.
func TestAdjacencyClasses(t *testing.T) {
	if classSize(smallClasses-1) != chunkLinks || classSize(smallClasses) <= chunkLinks {
		t.Fatalf("classes %d and %d hold %d and %d links; the chunk %d", smallClasses-1, smallClasses,
			classSize(smallClasses-1), classSize(smallClasses), chunkLinks)
	}
	for n := uint32(1); n < 1<<21; n++ {
		k := classOf(n)
		if classSize(k) < n || (k > 0 && classSize(k-1) >= n) {
			t.Fatalf("%d links: class %d of %d links (the one below: %d)", n, k, classSize(k), classSize(k-1))
		}
		if 4*classSize(k) > 5*n {
			t.Fatalf("%d links in a block of %d", n, classSize(k))
		}
	}
}
