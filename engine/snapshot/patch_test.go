package snapshot_test

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"riskgraph/engine"
	"riskgraph/models"
	"riskgraph/store"
)

// TestPatchConformance: a graph read from a snapshot and patched with a
// day's changes (Graph.Patch) is the projection of the changed store,
// node by node under their references: attributes, edges as sets of
// (from, to, type, dates, ratio, title), records, and the stored results
// (Previous). The day is the daily batch of the scoring tests and a day
// that moves shared values: a group left with one holder (dissolved), a
// holder moving from one group to another, a value held by one
// enterprise becoming shared, a new enterprise joining a dissolved
// value, a changed record and a changed holding. The patched graph saved
// and read again is the same graph.
func TestPatchConformance(t *testing.T) {
	st := synthMemory(t, 1500)
	path := filepath.Join(t.TempDir(), "projection.snap")
	r1, _, err := engine.Score(ctx, st, options(path), "patch-1", clock)
	if err != nil {
		t.Fatal(err)
	}
	daily(t, st, r1, "patch")
	moved := sharedValuesDay(t, st, r1.Graph)
	loaded, err := engine.LoadSnapshotGraph(path)
	if err != nil {
		t.Fatal(err)
	}
	changes, err := st.Changes(ctx, loaded.Meta.Generation, math.MaxInt32)
	if err != nil {
		t.Fatal(err)
	}
	if err := loaded.Graph.Patch(changes); err != nil {
		t.Fatalf("patch of %d changed rows: %v", changes.Len(), err)
	}
	fresh, err := engine.ProjectPrevious(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	sameGraph(t, loaded.Graph, fresh)
	t.Logf("%d changed rows patched (%d shared-value moves); %d nodes, %d edges, %d records", changes.Len(), moved,
		loaded.Graph.N(), len(loaded.Graph.Edges), len(loaded.Graph.Records))

	again := filepath.Join(t.TempDir(), "again.snap")
	if err := loaded.Save(again); err != nil {
		t.Fatal(err)
	}
	reread, err := engine.LoadSnapshotGraph(again)
	if err != nil {
		t.Fatal(err)
	}
	sameGraph(t, reread.Graph, fresh)

	// A second day on the patched graph: a third enterprise takes the
	// value whose only holder left and a new one took (its first holder
	// is the new one).
	gen, err := st.SettledGeneration(ctx)
	if err != nil {
		t.Fatal(err)
	}
	heir, err := st.Enterprise(ctx, "src:patch:heir")
	if err != nil {
		t.Fatal(err)
	}
	day2 := &store.Batch{Enterprises: []models.Enterprise{{Key: "src:patch:heir2", Name: "新设", Status: models.StatusActive, Address: heir.Address}}}
	if err := st.WriteBatch(ctx, day2); err != nil {
		t.Fatal(err)
	}
	if changes, err = st.Changes(ctx, gen, math.MaxInt32); err != nil {
		t.Fatal(err)
	}
	if err := reread.Graph.Patch(changes); err != nil {
		t.Fatal(err)
	}
	if fresh, err = engine.ProjectPrevious(ctx, st); err != nil {
		t.Fatal(err)
	}
	sameGraph(t, reread.Graph, fresh)
}

// sharedValuesDay writes changes that move enterprises between shared
// addresses, phones and e-mails (see TestPatchConformance) and returns how
// many it made.
func sharedValuesDay(t *testing.T, st interface {
	store.Reader
	store.Writer
}, g *engine.Graph) int {
	t.Helper()
	// Groups by size, and an enterprise whose address no other holds.
	var pairs, larger []int32
	for v := range int32(g.N()) {
		if k := g.Kinds[v]; k >= engine.NodeAddress {
			switch n := len(g.InEdges(v)); {
			case n == 2:
				pairs = append(pairs, v)
			case n >= 3:
				larger = append(larger, v)
			}
		}
	}
	if len(pairs) < 2 || len(larger) < 2 {
		t.Fatalf("the sample has %d groups of two and %d larger ones; the test needs two of each", len(pairs), len(larger))
	}
	member := func(grp int32, i int) models.Enterprise {
		e, err := st.Enterprise(ctx, g.Ref(g.Edges[g.InEdges(grp)[i]].From).Key)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	field := func(e *models.Enterprise, k engine.NodeKind) *string {
		switch k {
		case engine.NodeAddress:
			return &e.Address
		case engine.NodePhone:
			return &e.Phone
		}
		return &e.Email
	}
	var lone *models.Enterprise
	for v := range int32(g.NumEnterprises) {
		if g.Kinds[v] != engine.NodeEnterprise {
			continue
		}
		linked := slices.ContainsFunc(g.Out(v), func(e engine.Edge) bool { return e.Type == engine.EdgeAddress })
		if e, err := st.Enterprise(ctx, g.Ref(v).Key); err == nil && e.Address != "" && !e.Placeholder && !linked {
			lone = &e
			break
		}
	}
	if lone == nil {
		t.Fatal("no enterprise with an address of its own")
	}
	b := &store.Batch{}
	// A group of two dissolves; a new enterprise takes the value again.
	a := member(pairs[0], 0)
	value := *field(&a, g.Kinds[pairs[0]])
	*field(&a, g.Kinds[pairs[0]]) = ""
	joiner := models.Enterprise{Key: "src:patch:joiner", Name: "新设", Status: models.StatusActive}
	*field(&joiner, g.Kinds[pairs[0]]) = value
	// A second pair dissolves for good.
	c := member(pairs[1], 1)
	*field(&c, g.Kinds[pairs[1]]) = ""
	// A holder of a larger group moves to another larger group's value.
	m := member(larger[0], 0)
	to := member(larger[1], 0)
	if g.Kinds[larger[0]] == g.Kinds[larger[1]] {
		*field(&m, g.Kinds[larger[0]]) = *field(&to, g.Kinds[larger[1]])
	} else {
		*field(&m, g.Kinds[larger[0]]) = ""
		*field(&m, g.Kinds[larger[1]]) = *field(&to, g.Kinds[larger[1]])
	}
	// An enterprise takes the address only lone held.
	d := member(larger[1], 1)
	d.Address = lone.Address
	// An enterprise leaves an address it alone held, and a new one takes
	// it (the second day adds a third).
	var lone2 *models.Enterprise
	for v := range int32(g.NumEnterprises) {
		if g.Kinds[v] != engine.NodeEnterprise || g.Ref(v).Key == lone.Key {
			continue
		}
		linked := slices.ContainsFunc(g.Out(v), func(e engine.Edge) bool { return e.Type == engine.EdgeAddress })
		if e, err := st.Enterprise(ctx, g.Ref(v).Key); err == nil && e.Address != "" && !e.Placeholder && !linked {
			lone2 = &e
			break
		}
	}
	heir := models.Enterprise{Key: "src:patch:heir", Name: "新设", Status: models.StatusActive, Address: lone2.Address}
	lone2.Address = ""
	b.Enterprises = append(b.Enterprises, a, joiner, c, m, d, *lone2, heir)
	// A changed record and a changed holding.
	rec := g.RecordIDs.At(0)
	for i := range g.Records {
		if g.RecordIDs.At(int32(i)) == rec {
			r := g.Records[i]
			b.Records = append(b.Records, models.Record{ID: rec, Subject: g.Ref(r.Subject), Kind: models.RecordKind(g.RecordKinds[r.Kind]),
				Severity: 0.123, Decided: r.Decided.Date()})
			break
		}
	}
	for i := range g.Edges {
		if e := g.Edges[i]; e.Type == engine.EdgeHolds {
			b.Shareholdings = append(b.Shareholdings, models.Shareholding{Holder: g.Ref(e.From), Enterprise: g.Ref(e.To).Key, Ratio: 0.42, Since: e.Since.Date()})
			break
		}
	}
	if err := st.WriteBatch(ctx, b); err != nil {
		t.Fatal(err)
	}
	return len(b.Enterprises)
}

// sameGraph fails unless got and want hold the same nodes (by reference;
// a group node of got without edges — a dissolved group Patch keeps — is
// not compared), attributes, edges, records and stored results.
func sameGraph(t *testing.T, got, want *engine.Graph) {
	t.Helper()
	nodes := func(g *engine.Graph) map[models.Ref]int32 {
		m := map[models.Ref]int32{}
		for v := range int32(g.N()) {
			if g.IsEntity(v) || len(g.Out(v))+len(g.InEdges(v)) > 0 {
				m[g.Ref(v)] = v
			}
		}
		return m
	}
	a, b := nodes(got), nodes(want)
	if len(a) != len(b) {
		t.Errorf("%d nodes, the projection %d", len(a), len(b))
	}
	for ref, v := range a {
		w, ok := b[ref]
		if !ok {
			t.Errorf("%s: not in the projection", ref)
			continue
		}
		if x, y := attrs(got, v), attrs(want, w); x != y {
			t.Errorf("%s: %s; the projection %s", ref, x, y)
		}
		if got.IsEntity(v) {
			if id, ok := got.Lookup(ref); !ok || id != v {
				t.Errorf("%s: Lookup %d %v, want %d", ref, id, ok, v)
			}
		}
		if x, y := edgesOf(got, v), edgesOf(want, w); !slices.Equal(x, y) {
			t.Errorf("%s: edges %v; the projection %v", ref, x, y)
		}
		if x, y := inEdgesOf(got, v), inEdgesOf(want, w); !slices.Equal(x, y) {
			t.Errorf("%s: in-edges %v; the projection %v", ref, x, y)
		}
		if x, y := recordsOf(got, v), recordsOf(want, w); !slices.Equal(x, y) {
			t.Errorf("%s: records %v; the projection %v", ref, x, y)
		}
		if x, y := previousOf(got, v), previousOf(want, w); x != y {
			t.Errorf("%s: stored result %s; the projection %s", ref, x, y)
		}
	}
	if len(got.Records) != len(want.Records) {
		t.Errorf("%d records, the projection %d", len(got.Records), len(want.Records))
	}
}

func attrs(g *engine.Graph, v int32) string {
	return fmt.Sprintf("kind %d status %q est %d region %q industry %q form %q", g.Kinds[v], g.StatusOf(v), g.Established[v],
		g.Regions[g.Region[v]], g.Industries[g.Industry[v]], g.EnterpriseKindOf(v))
}

func edgeText(g *engine.Graph, e engine.Edge) string {
	title := ""
	switch e.Type {
	case engine.EdgeOfficer:
		title = g.Titles[e.Title]
	case engine.EdgeRelated:
		title = string(models.RelationKinds[e.Title])
	}
	return fmt.Sprintf("%s→%s %s %d–%d %v %q", g.Ref(e.From), g.Ref(e.To), e.Type, e.Since, e.Until, e.Ratio, title)
}

func edgesOf(g *engine.Graph, v int32) []string {
	var out []string
	for _, e := range g.Out(v) {
		out = append(out, edgeText(g, e))
	}
	slices.Sort(out)
	return out
}

func inEdgesOf(g *engine.Graph, v int32) []string {
	var out []string
	for _, i := range g.InEdges(v) {
		if g.Edges[i].To != v {
			out = append(out, "misplaced")
		}
		out = append(out, edgeText(g, g.Edges[i]))
	}
	slices.Sort(out)
	return out
}

func recordsOf(g *engine.Graph, v int32) []string {
	var out []string
	for _, i := range g.RecordsOf(v) {
		r := g.Records[i]
		if r.Subject != v {
			out = append(out, "misplaced")
		}
		out = append(out, fmt.Sprintf("%s %s %v %d %d %d", g.RecordIDs.At(i), g.RecordKinds[r.Kind], r.Severity, r.Decided, r.Removed, r.Ended))
	}
	slices.Sort(out)
	return out
}

func previousOf(g *engine.Graph, v int32) string {
	if g.Previous == nil {
		return "none"
	}
	return fmt.Sprintf("%v %b", g.Previous.Score[v], g.Previous.Flags[v])
}
