package engine

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
)

// referenceBuildOperator is buildOperator as it was before the row
// weights were computed once per edge end (session 12): row norms in one
// pass over the edges, weights in a second. TestOperatorMatchesReference
// holds the operator to it bit for bit; BenchmarkOperator runs both.
func referenceBuildOperator(g *Graph, p *Params, today Day, transpose bool) *Operator {
	n := g.N()
	weigh := newWeigher(g, p, today)
	op := &Operator{Off: make([]int64, n+1)}
	for v := 0; v < n; v++ {
		op.Off[v+1] = op.Off[v] + int64(g.OutOff[v+1]-g.OutOff[v]) + int64(g.InOff[v+1]-g.InOff[v])
	}
	m := op.Off[n]
	norm := make([]float64, n)
	parallelChunks(n, p.Workers, func(_, lo, hi int) {
		for v := lo; v < hi; v++ {
			sum := 0.0
			for i := g.OutOff[v]; i < g.OutOff[v+1]; i++ {
				_, back := weigh.weights(&g.Edges[i])
				sum += back
			}
			for _, ei := range g.InEdges(int32(v)) {
				fwd, _ := weigh.weights(&g.Edges[ei])
				sum += fwd
			}
			norm[v] = max(1, sum)
		}
	})
	op.Src, op.Wt = make([]int32, m), make([]float64, m)
	if transpose {
		op.RevWt = make([]float64, m)
		op.RevOff, op.RevDst = op.Off, op.Src
	}
	parallelChunks(n, p.Workers, func(_, lo, hi int) {
		for v := lo; v < hi; v++ {
			k := op.Off[v]
			for i := g.OutOff[v]; i < g.OutOff[v+1]; i++ {
				e := &g.Edges[i]
				fwd, back := weigh.weights(e)
				op.Src[k], op.Wt[k] = e.To, back/norm[v]
				if transpose {
					op.RevWt[k] = fwd / norm[e.To]
				}
				k++
			}
			for _, ei := range g.InEdges(int32(v)) {
				e := &g.Edges[ei]
				fwd, back := weigh.weights(e)
				op.Src[k], op.Wt[k] = e.From, fwd/norm[v]
				if transpose {
					op.RevWt[k] = back / norm[e.From]
				}
				k++
			}
		}
	})
	op.Phases = [][]int32{make([]int32, 0, g.NumEnterprises), make([]int32, 0, n-g.NumEnterprises)}
	for v := range n {
		if g.Kinds[v] == NodeEnterprise {
			op.Phases[0] = append(op.Phases[0], int32(v))
		} else {
			op.Phases[1] = append(op.Phases[1], int32(v))
		}
	}
	return op
}

// sameOperator fails unless got and want are the same operator, every
// weight bit for bit.
func sameOperator(t *testing.T, got, want *Operator) {
	t.Helper()
	if !slices.Equal(got.Off, want.Off) {
		t.Fatalf("offsets differ")
	}
	if !slices.Equal(got.Src, want.Src) {
		t.Fatalf("sources differ")
	}
	bits := func(name string, a, b []float64) {
		t.Helper()
		if (a == nil) != (b == nil) || len(a) != len(b) {
			t.Fatalf("%s: %d weights (nil %v), want %d (nil %v)", name, len(a), a == nil, len(b), b == nil)
		}
		for k := range a {
			if math.Float64bits(a[k]) != math.Float64bits(b[k]) {
				t.Fatalf("%s[%d] = %v (%#x), want %v (%#x)", name, k, a[k], math.Float64bits(a[k]), b[k], math.Float64bits(b[k]))
			}
		}
	}
	bits("Wt", got.Wt, want.Wt)
	bits("RevWt", got.RevWt, want.RevWt)
	if !slices.Equal(got.RevOff, want.RevOff) || !slices.Equal(got.RevDst, want.RevDst) {
		t.Fatalf("transpose's offsets or ends differ")
	}
	if len(got.Phases) != len(want.Phases) {
		t.Fatalf("%d phases, want %d", len(got.Phases), len(want.Phases))
	}
	for i := range got.Phases {
		if !slices.Equal(got.Phases[i], want.Phases[i]) {
			t.Fatalf("phase %d differs", i)
		}
	}
}

// randomOperatorGraph is a projected graph of ne enterprises and np
// persons whose edges are replaced by random ones of every type: holdings
// above, at and below the control threshold (and of ratio 0), legal
// representatives and officers of every title (and of a title without a
// weight of its own), current, ended and not yet started, branches, shared
// values, relations, parallel edges, self-loops and nodes without edges.
// Dense ones have rows whose raw weights sum above 1 (normalised).
func randomOperatorGraph(t *testing.T, rnd *rand.Rand, ne, np int, dense bool) *Graph {
	t.Helper()
	var hs []holding
	for i := range ne {
		hs = append(hs, holding{fmt.Sprintf("p:%d", i%np), fmt.Sprintf("E%03d", i), 0.5})
	}
	g := projectBatch(t, holdingBatch(hs))
	g.Titles = []string{"chairman", "director", "supervisor", "no-such-title"}
	ratios := []float64{0, 0.1, 0.25, 0.5, 0.50000001, 0.51, 0.7, 1}
	n := int32(g.N())
	per := 3
	if dense {
		per = 12
	}
	var es []Edge
	for to := range n {
		if rnd.IntN(8) == 0 {
			continue // a node no edge reaches
		}
		for range rnd.IntN(per) {
			e := Edge{From: rnd.Int32N(n), To: to, Type: EdgeType(rnd.IntN(int(numEdgeTypes))), Since: NoDay, Until: NoDay}
			switch e.Type {
			case EdgeHolds:
				e.Ratio = ratios[rnd.IntN(len(ratios))]
			case EdgeOfficer:
				e.Title = uint8(rnd.IntN(len(g.Titles)))
			case EdgeRelated:
				e.Title = uint8(rnd.IntN(3))
			}
			switch rnd.IntN(6) {
			case 0:
				e.Since = genToday + 1 + Day(rnd.IntN(30)) // not yet in force
			case 1:
				e.Since = genToday - Day(rnd.IntN(3000))
			case 2:
				e.Until = genToday - Day(rnd.IntN(100)) // ended (or ends today)
			case 3:
				e.Since, e.Until = genToday, genToday+Day(rnd.IntN(100))
			}
			es = append(es, e)
			if rnd.IntN(10) == 0 {
				es = append(es, e) // a parallel edge
			}
		}
	}
	slices.SortStableFunc(es, func(a, b Edge) int { return cmp.Compare(a.From, b.From) })
	g.Edges = es
	g.OutOff = make([]int32, n+1)
	for _, e := range es {
		g.OutOff[e.From+1]++
	}
	for v := range n {
		g.OutOff[v+1] += g.OutOff[v]
	}
	g.InOff, g.In = bucketIndex(int(n), len(es), make([]int32, n), func(i int) int32 { return es[i].To })
	return g
}

// TestOperatorMatchesReference requires BuildOperator and
// BuildPullOperator to give exactly (offsets, ends, every weight bit for
// bit, phases) what the implementation before gave, on the generator's
// samples and on random graphs of every edge type, with the default
// weights, with weights that make most rows sum above 1, and with one and
// several workers.
func TestOperatorMatchesReference(t *testing.T) {
	heavy := func(p *Params) {
		w := &p.Propagation.Weights
		w.ControlDown, w.MinorityDown, w.HolderUp, w.LegalRepDown, w.LegalRepUp = 3.1, 1.7, 2.3, 1.9, 0.7
		w.Branch, w.SharedAddress, w.SharedPhone, w.SharedEmail, w.FormerRoleFactor = 2.2, 0.45, 0.3, 1.3, 0.35
		w.Officer = map[string]float64{"chairman": 1.4, "director": 0.9, "default": 0.6}
	}
	check := func(t *testing.T, g *Graph, p *Params) {
		t.Helper()
		for _, workers := range []int{1, 3} {
			p.Workers = workers
			sameOperator(t, BuildOperator(g, p, genToday), referenceBuildOperator(g, p, genToday, true))
			sameOperator(t, BuildPullOperator(g, p, genToday), referenceBuildOperator(g, p, genToday, false))
		}
	}
	t.Run("generated", func(t *testing.T) {
		g := generated(t, 10_000).graph
		p := DefaultParams()
		check(t, g, &p)
		heavy(&p)
		check(t, g, &p)
	})
	rnd := rand.New(rand.NewPCG(19, 12))
	for k := range 30 {
		t.Run(fmt.Sprint("random", k), func(t *testing.T) {
			g := randomOperatorGraph(t, rnd, 20+rnd.IntN(300), 5+rnd.IntN(60), k%2 == 1)
			p := DefaultParams()
			check(t, g, &p)
			heavy(&p)
			check(t, g, &p)
		})
	}
}

// BenchmarkOperator builds the operator (with its transpose, as an
// incremental run does, and without, as a full run does) on the
// generator's sample of RISKGRAPH_STRUCTURE_BENCH_ENTERPRISES enterprises
// (10 000 by default), with the implementation before beside it in the
// same process; cpu-ms/op is the process's CPU per call.
func BenchmarkOperator(b *testing.B) {
	n := 10_000
	if v, err := strconv.Atoi(os.Getenv("RISKGRAPH_STRUCTURE_BENCH_ENTERPRISES")); err == nil && v > 0 {
		n = v
	}
	g := generated(b, n).graph
	p := DefaultParams()
	b.Logf("%d nodes, %d edges", g.N(), len(g.Edges))
	for _, s := range []struct {
		name string
		f    func()
	}{
		{"transpose-reference", func() { referenceBuildOperator(g, &p, genToday, true) }},
		{"transpose", func() { BuildOperator(g, &p, genToday) }},
		{"pull-reference", func() { referenceBuildOperator(g, &p, genToday, false) }},
		{"pull", func() { BuildPullOperator(g, &p, genToday) }},
	} {
		b.Run(s.name, func(b *testing.B) {
			cpu0 := processCPU()
			for b.Loop() {
				s.f()
			}
			b.ReportMetric(float64((processCPU()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
		})
	}
}
