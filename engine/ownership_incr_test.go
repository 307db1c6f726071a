package engine

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// ownWorld is the nodes and edges of a random holding graph that grows
// day by day: a day's graph is its first n nodes and the edges between
// them.
type ownWorld struct {
	kinds []NodeKind
	keys  []string
	edges []Edge
}

// graph is the world's first n nodes with their edges, in edge order
// within each node (as a projection or a patch keeps them), ready for a
// snapshot run (g.patch set).
func (w *ownWorld) graph(n int) *Graph {
	g := &Graph{Kinds: slices.Clone(w.kinds[:n]), patch: &patchState{}}
	for _, k := range w.keys[:n] {
		g.Keys.add(k)
	}
	g.Keys.done()
	for _, k := range g.Kinds {
		switch k {
		case NodeEnterprise:
			g.NumEnterprises++
		case NodePerson:
			g.NumPersons++
		}
	}
	for _, e := range w.edges {
		if int(e.From) < n && int(e.To) < n {
			g.Edges = append(g.Edges, e)
		}
	}
	slices.SortStableFunc(g.Edges, func(a, b Edge) int { return cmp.Compare(a.From, b.From) })
	g.OutOff = make([]int32, n+1)
	for _, e := range g.Edges {
		g.OutOff[e.From+1]++
	}
	for v := range n {
		g.OutOff[v+1] += g.OutOff[v]
	}
	g.InOff, g.In = bucketIndex(n, len(g.Edges), make([]int32, n), func(i int) int32 { return g.Edges[i].To })
	return g
}

// renumber gives the nodes in [lo, hi) other ids, as the next run's patch
// may number the nodes patched in since the graph file (results.go).
func (w *ownWorld) renumber(rnd *rand.Rand, lo, hi int) {
	perm := rnd.Perm(hi - lo)
	id := func(v int32) int32 {
		if int(v) >= lo && int(v) < hi {
			return int32(lo + perm[int(v)-lo])
		}
		return v
	}
	kinds, keys := slices.Clone(w.kinds), slices.Clone(w.keys)
	for v := lo; v < hi; v++ {
		w.kinds[id(int32(v))], w.keys[id(int32(v))] = kinds[v], keys[v]
	}
	for i := range w.edges {
		w.edges[i].From, w.edges[i].To = id(w.edges[i].From), id(w.edges[i].To)
	}
}

// randomEdge is a holding (now and then another relationship) into a
// random enterprise below n, from a random entity below n.
func (w *ownWorld) randomEdge(rnd *rand.Rand, n int, today Day) (Edge, bool) {
	from, to := int32(rnd.IntN(n)), int32(rnd.IntN(n))
	if w.kinds[from] == NodeEnterprise && rnd.IntN(2) == 0 {
		from = int32(rnd.IntN(n)) // mostly persons hold, as in the data
	}
	if w.kinds[to] != NodeEnterprise || w.kinds[from] > NodePerson || from == to {
		return Edge{}, false
	}
	e := Edge{From: from, To: to, Type: EdgeHolds, Ratio: w.ratio(rnd, from), Since: NoDay, Until: NoDay}
	switch rnd.IntN(10) {
	case 0:
		e.Since = today + Day(rnd.IntN(21)) - 10 // in force on some days only
	case 2:
		e.Type = EdgeLegalRep
	}
	return e, true
}

// ratio is a random ratio of a holding by from: up to 1 for a person,
// at most 0.3 for an enterprise (cycles of enterprises then converge
// quickly, as the data's do; ratios adding up to more than 1 remain).
func (w *ownWorld) ratio(rnd *rand.Rand, from int32) float64 {
	if w.kinds[from] == NodePerson {
		return []float64{0, 0.1, 0.25, 0.3, 0.5, 0.5000000000000001, 0.51, 0.6, 0.7, 1}[rnd.IntN(10)]
	}
	return []float64{0, 0.05, 0.1, 0.2, 0.25, 0.3}[rnd.IntN(6)]
}

// day changes the world as a day's patch may: ratios changed, holdings
// starting later or earlier, holdings and other relationships added,
// now and then a node's edges in another order.
func (w *ownWorld) day(rnd *rand.Rand, n int, today Day, changes int) {
	for range changes {
		switch rnd.IntN(6) {
		case 0, 1:
			if e, ok := w.randomEdge(rnd, n, today); ok {
				w.edges = append(w.edges, e)
			}
		case 2:
			if len(w.edges) > 0 {
				e := &w.edges[rnd.IntN(len(w.edges))]
				e.Ratio = w.ratio(rnd, e.From)
			}
		case 3:
			if len(w.edges) > 0 {
				e := &w.edges[rnd.IntN(len(w.edges))]
				e.Since = today + Day(rnd.IntN(21)) - 10
			}
		case 4:
			if len(w.edges) > 1 {
				i, j := rnd.IntN(len(w.edges)), rnd.IntN(len(w.edges))
				w.edges[i], w.edges[j] = w.edges[j], w.edges[i]
			}
		case 5:
			if len(w.edges) > 0 { // a holder's holdings of two enterprises into one
				e := &w.edges[rnd.IntN(len(w.edges))]
				if t := int32(rnd.IntN(n)); w.kinds[t] == NodeEnterprise && t != e.From {
					e.To = t
				}
			}
		}
	}
}

// TestIncrementalOwnershipMatchesFull runs random graphs through random
// days — holdings added, ratios and start days changed, a holder's
// holdings reordered, the run's day moved forward and back (holdings
// coming into and leaving force), new nodes, nodes whose ids the next run
// does not share, thresholds changed — each day's ownership computed from
// the day before's kept state as a snapshot run does (ownershipFor), and
// requires every field to equal the full computation's. It also requires
// most days to be incremental with fewer vectors than enterprises, so
// that a plan that always falls back does not pass.
func TestIncrementalOwnershipMatchesFull(t *testing.T) {
	rnd := rand.New(rand.NewPCG(19, 8))
	var days, incremental, partial int
	for k := range 60 {
		ne, np := 20+rnd.IntN(300), 5+rnd.IntN(60)
		w := &ownWorld{}
		for i := range ne + np + 30 {
			kind := NodePerson
			if rnd.IntN(ne+np) < ne {
				kind = NodeEnterprise
			}
			if rnd.IntN(50) == 0 {
				kind = NodeAddress // a group node: never in ownership
			}
			w.kinds = append(w.kinds, kind)
			w.keys = append(w.keys, fmt.Sprintf("k%04d", (i*7919)%10007))
		}
		n := ne + np
		today := genToday
		for range ne + rnd.IntN(ne) {
			if e, ok := w.randomEdge(rnd, n, today); ok {
				w.edges = append(w.edges, e)
				if rnd.IntN(12) == 0 {
					w.edges = append(w.edges, e) // a parallel holding
				}
			}
		}
		p := DefaultParams()
		var prev *ownershipState
		for d := range 8 {
			g := w.graph(n)
			g.patch.ownPrev = prev
			got, stats := ownershipFor(g, &p, today)
			want := ComputeOwnership(g, &p, today)
			days++
			if testing.Verbose() && !stats.Incremental {
				t.Logf("graph %d day %d: full (%s) %+v", k, d, stats.Full, stats)
			}
			if stats.Incremental {
				incremental++
				if stats.Vectors < stats.Enterprises {
					partial++
				}
			}
			if !reflect.DeepEqual(got, want) {
				for v := int32(0); v < int32(g.N()); v++ {
					if got.Controller[v] != want.Controller[v] || got.Majority[v] != want.Majority[v] || got.Layers[v] != want.Layers[v] ||
						got.Top[v] != want.Top[v] || got.SCC[v] != want.SCC[v] || !reflect.DeepEqual(got.BeneficialOwners(v), want.BeneficialOwners(v)) {
						t.Fatalf("graph %d day %d (%+v) node %d: controller %d majority %d layers %d top %d scc %d owners %v; full %d %d %d %d %d %v",
							k, d, stats, v, got.Controller[v], got.Majority[v], got.Layers[v], got.Top[v], got.SCC[v], got.BeneficialOwners(v),
							want.Controller[v], want.Majority[v], want.Layers[v], want.Top[v], want.SCC[v], want.BeneficialOwners(v))
					}
				}
				t.Fatalf("graph %d day %d (%+v): ownership differs from the full computation (offsets or components)", k, d, stats)
			}
			// The state the snapshot keeps: the ids below stable are the
			// next graph's (a graph file's nodes); those above may not be.
			prev = g.patch.ownNext
			prev.Stable = n
			if rnd.IntN(5) == 0 {
				prev.Stable = n - rnd.IntN(n/4+1)
				w.renumber(rnd, prev.Stable, n)
			}
			// The next day: new nodes, changes, another day, now and
			// then other thresholds.
			n = min(len(w.kinds), n+rnd.IntN(6))
			w.day(rnd, n, today, 1+rnd.IntN(max(1, ne/40)))
			today += Day(rnd.IntN(4)) - 1
			switch rnd.IntN(20) {
			case 0:
				p.Ownership.BeneficialThreshold = []float64{0.25, 0.1, 1e-12}[rnd.IntN(3)]
			case 1:
				p.Ownership.ControlThreshold = []float64{0.5, 0.3}[rnd.IntN(2)]
			}
		}
	}
	if incremental < days/3 || partial < incremental*9/10 {
		t.Errorf("%d of %d days incremental, %d of them with fewer vectors than enterprises; want more", incremental, days, partial)
	}
	t.Logf("%d days, %d incremental, %d partial", days, incremental, partial)
}

// TestIncrementalOwnershipFallsBack: no kept state, another threshold or
// rule, or a change wider than ownershipWide → the full computation.
func TestIncrementalOwnershipFallsBack(t *testing.T) {
	g := generated(t, 2000).graph
	p := DefaultParams()
	o, hs, _ := computeOwnership(g, &p, genToday, nil)
	state := func() *ownershipState {
		s := newOwnershipState(&p, o, hs)
		s.Stable = g.N()
		return s
	}
	if _, _, st := computeOwnership(g, &p, genToday, state()); !st.Incremental || st.Vectors != 0 || st.Dirty != 0 || st.Changed != 0 {
		t.Errorf("nothing changed: %+v, want incremental with no vector", st)
	}
	other := state()
	other.Beneficial = 0.3
	if _, _, st := computeOwnership(g, &p, genToday, other); st.Incremental || st.Full == "" {
		t.Errorf("another threshold: %+v, want full", st)
	}
	other = state()
	other.Rule++
	if _, _, st := computeOwnership(g, &p, genToday, other); st.Incremental || st.Full == "" {
		t.Errorf("another rule: %+v, want full", st)
	}
	other = state()
	other.Stable = 0 // no id shared: every enterprise changed
	if _, _, st := computeOwnership(g, &p, genToday, other); st.Incremental || st.Full == "" {
		t.Errorf("every enterprise changed: %+v, want full", st)
	}
}

// TestIncrementalOwnershipRenumbered: the ids of nodes patched in since
// the graph file may change between runs (two new persons swap ids), so
// an enterprise they hold is recomputed even when its holdings read the
// same by id — here its two equal owners then come in the other order
// (by pid).
func TestIncrementalOwnershipRenumbered(t *testing.T) {
	w := &ownWorld{kinds: []NodeKind{NodeEnterprise, NodePerson, NodePerson}, keys: []string{"E", "pb", "pa"},
		edges: []Edge{{From: 1, To: 0, Ratio: 0.3, Type: EdgeHolds, Since: NoDay, Until: NoDay}, {From: 2, To: 0, Ratio: 0.3, Type: EdgeHolds, Since: NoDay, Until: NoDay}}}
	p := DefaultParams()
	g := w.graph(3)
	before, _ := ownershipFor(g, &p, genToday)
	if bo := before.BeneficialOwners(0); len(bo) != 2 || bo[0].Person != 2 {
		t.Fatalf("owners %v, want pa (2) then pb (1)", bo)
	}
	prev := g.patch.ownNext
	prev.Stable = 1 // the persons were patched in since the graph file
	w.keys[1], w.keys[2] = w.keys[2], w.keys[1]
	g = w.graph(3)
	g.patch.ownPrev = prev
	got, _ := ownershipFor(g, &p, genToday)
	if want := ComputeOwnership(g, &p, genToday); !reflect.DeepEqual(got, want) || got.BeneficialOwners(0)[0].Person != 1 {
		t.Errorf("owners %v, want %v (pa, now 1, first)", got.BeneficialOwners(0), want.BeneficialOwners(0))
	}
}
