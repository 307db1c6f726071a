package engine

import (
	"context"
	"math"
	"reflect"
	"slices"
	"testing"

	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/memory"
)

func scores(t testing.TB, g *Graph, p *Params, today Day) ([]float64, *Intrinsic, *Operator) {
	t.Helper()
	in := ComputeIntrinsic(g, p, today)
	op := BuildOperator(g, p, today)
	res, err := Propagate(op, in.Risk, &p.Propagation, p.Workers)
	if err != nil {
		t.Fatal(err)
	}
	return res.Score, in, op
}

// TestPropagateDeterministicAcrossWorkers: bit-identical scores with 1, 2 and 5 workers.
func TestPropagateDeterministicAcrossWorkers(t *testing.T) {
	gs := generated(t, 10_000)
	var first []float64
	for _, w := range []int{1, 2, 5} {
		p := DefaultParams()
		p.Workers = w
		s, _, _ := scores(t, gs.graph, &p, genToday)
		if first == nil {
			first = s
			continue
		}
		for i := range s {
			if s[i] != first[i] {
				t.Fatalf("workers %d: score of node %d differs from one worker", w, i)
			}
		}
	}
}

// TestPropagateZeroWhereNoRecordReachable: nodes that no node with
// intrinsic risk reaches score exactly 0; every other node within the
// iterations' reach scores > 0; all scores lie in [0,1].
func TestPropagateZeroWhereNoRecordReachable(t *testing.T) {
	gs := generated(t, 10_000)
	p := DefaultParams()
	s, in, op := scores(t, gs.graph, &p, genToday)
	dist := hopsFromSources(op, in.Risk)
	zero, pos := 0, 0
	for v := range s {
		if s[v] < 0 || s[v] > 1 {
			t.Fatalf("score %v outside [0,1]", s[v])
		}
		switch {
		case dist[v] < 0:
			if s[v] != 0 {
				t.Fatalf("node %d (%s) is unreachable from any record but scores %g", v, gs.graph.Keys.At(int32(v)), s[v])
			}
			zero++
		case dist[v] <= 20:
			if s[v] <= 0 {
				t.Fatalf("node %d is %d hops from a record but scores 0", v, dist[v])
			}
			pos++
		}
	}
	if zero == 0 || pos == 0 {
		t.Fatalf("degenerate data: %d unreachable, %d reachable nodes", zero, pos)
	}
}

// hopsFromSources is the number of hops (over positive weights) from the
// nearest node with r > 0, or -1.
func hopsFromSources(op *Operator, r []float64) []int {
	dist := make([]int, len(r))
	var q []int32
	for v := range dist {
		dist[v] = -1
		if r[v] > 0 {
			dist[v] = 0
			q = append(q, int32(v))
		}
	}
	for len(q) > 0 {
		v := q[0]
		q = q[1:]
		for k := op.RevOff[v]; k < op.RevOff[v+1]; k++ {
			if u := op.RevDst[k]; op.RevWt[k] > 0 && dist[u] < 0 {
				dist[u] = dist[v] + 1
				q = append(q, u)
			}
		}
	}
	return dist
}

// TestPropagateMonotone: adding records to the generated data never lowers
// any score (beyond the convergence tolerance) and raises the subjects'.
func TestPropagateMonotone(t *testing.T) {
	gs := generated(t, 2_000)
	p := DefaultParams()
	before, _, _ := scores(t, gs.graph, &p, genToday)
	// A copy of the data with three more records.
	ctx := context.Background()
	st := gs.writableCopy(t)
	g0 := gs.graph
	var subjects []models.Ref
	for _, v := range []int32{0, int32(g0.NumEnterprises / 2), int32(g0.N() - 1)} {
		for !g0.IsEntity(v) {
			v--
		}
		subjects = append(subjects, g0.Ref(v))
	}
	b := &store.Batch{}
	for i, sub := range subjects {
		b.Records = append(b.Records, models.Record{ID: "extra-" + string(rune('a'+i)), Subject: sub, Kind: models.RecordPenalty,
			Severity: 0.5, Decided: models.NewDate(2026, 1, 1)})
	}
	if err := st.WriteBatch(ctx, b); err != nil {
		t.Fatal(err)
	}
	g1, err := Project(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	after, _, _ := scores(t, g1, &p, genToday)
	slack := 2 * p.Propagation.Tolerance
	for v := int32(0); v < int32(g0.N()); v++ {
		if !g0.IsEntity(v) {
			continue
		}
		w, ok := g1.Lookup(g0.Ref(v))
		if !ok {
			t.Fatalf("node %s lost", g0.Keys.At(v))
		}
		if after[w] < before[v]-slack {
			t.Fatalf("%s: score fell from %g to %g after adding records", g0.Keys.At(v), before[v], after[w])
		}
	}
	for _, sub := range subjects {
		v, _ := g0.Lookup(sub)
		w, _ := g1.Lookup(sub)
		if !(after[w] > before[v]) {
			t.Errorf("%s: score did not rise (%g → %g) with a new record", sub, before[v], after[w])
		}
	}
}

// TestPropagateDecaysWithDistance: with a single source, a node d hops away
// scores at most α^d·r (the bound of docs/risk-model.md), and along a chain
// the scores fall strictly.
func TestPropagateDecaysWithDistance(t *testing.T) {
	gs := generated(t, 10_000)
	g := gs.graph
	p := DefaultParams()
	in := ComputeIntrinsic(g, &p, genToday)
	op := BuildOperator(g, &p, genToday)
	// Keep the risk of one source with the widest reach.
	src := -1
	for v, r := range in.Risk {
		if r > 0 && g.Kinds[v] == NodeEnterprise && op.RevOff[v+1]-op.RevOff[v] >= 4 {
			src = v
			break
		}
	}
	if src < 0 {
		t.Fatal("no source")
	}
	single := make([]float64, len(in.Risk))
	single[src] = in.Risk[src]
	res, err := Propagate(op, single, &p.Propagation, 0)
	if err != nil {
		t.Fatal(err)
	}
	dist := hopsFromSources(op, single)
	far := 0
	for v, d := range dist {
		if d < 0 {
			continue
		}
		bound := math.Pow(p.Propagation.Alpha, float64(d))*single[src] + p.Propagation.Tolerance
		if res.Score[v] > bound {
			t.Fatalf("node %d at %d hops scores %g > α^d·r = %g", v, d, res.Score[v], bound)
		}
		if d >= 3 {
			far++
		}
	}
	if far == 0 {
		t.Fatal("the source reaches nothing 3 hops away; pick another")
	}

	// A chain person → E1 → E2 → E3 → E4 (controlling holdings) with a record at the person.
	ch := chainGraph(t, 4)
	s, _, _ := scores(t, ch, &p, genToday)
	prev := math.Inf(1)
	chain := []models.Ref{models.PersonRef("p0")}
	for i := 1; i <= 4; i++ {
		chain = append(chain, models.EnterpriseRef("src:t:E"+string(rune('0'+i))))
	}
	for i, ref := range chain {
		v, ok := ch.Lookup(ref)
		if !ok {
			t.Fatalf("%s not projected", ref)
		}
		if !(s[v] < prev) || s[v] <= 0 {
			t.Fatalf("chain position %d scores %g after %g: not strictly decreasing", i, s[v], prev)
		}
		prev = s[v]
	}
}

// chainGraph projects person P → E1 → … → En (each holding 60 %), with a
// blacklist record at P.
func chainGraph(t testing.TB, n int) *Graph {
	t.Helper()
	b := &store.Batch{Persons: []models.Person{{PID: "p0", Name: "P"}}}
	prev := models.PersonRef("p0")
	for i := 1; i <= n; i++ {
		key := "src:t:E" + string(rune('0'+i))
		b.Enterprises = append(b.Enterprises, models.Enterprise{Key: key, Name: key, Status: models.StatusActive})
		b.Shareholdings = append(b.Shareholdings, models.Shareholding{Holder: prev, Enterprise: key, Ratio: 0.6})
		prev = models.EnterpriseRef(key)
	}
	b.Records = []models.Record{{ID: "r1", Subject: models.PersonRef("p0"), Kind: models.RecordBlacklist, Severity: 0.9, Decided: models.NewDate(2026, 1, 1)}}
	return projectBatch(t, b)
}

// projectBatch writes b to a fresh memory store and projects it. Node ids:
// persons come after enterprises in the scan, so callers look nodes up.
func projectBatch(t testing.TB, b *store.Batch) *Graph {
	t.Helper()
	ctx := context.Background()
	st, err := memory.Open(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.WriteBatch(ctx, b); err != nil {
		t.Fatal(err)
	}
	g, err := Project(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestPropagatePhasedWithinBound: the phased sweep (block Gauss–Seidel) and
// plain Jacobi both land within the documented bound δ·α/(1−α) of a fixed
// point computed to 1e-15, and the phased sweep needs fewer sweeps.
func TestPropagatePhasedWithinBound(t *testing.T) {
	gs := generated(t, 10_000)
	p := DefaultParams()
	in := ComputeIntrinsic(gs.graph, &p, genToday)
	op := BuildOperator(gs.graph, &p, genToday)
	if len(op.Phases) != 2 || len(op.Phases[0]) != gs.graph.NumEnterprises || len(op.Phases[0])+len(op.Phases[1]) != gs.graph.N() {
		t.Fatalf("phases %d, want enterprises then the rest", len(op.Phases))
	}
	exactP := p.Propagation
	exactP.Tolerance = 1e-15
	exact, err := Propagate(op, in.Risk, &exactP, 0)
	if err != nil {
		t.Fatal(err)
	}
	jacobi := *op
	jacobi.Phases = nil
	a := p.Propagation.Alpha
	iters := map[string]int{}
	for name, o := range map[string]*Operator{"phased": op, "jacobi": &jacobi} {
		res, err := Propagate(o, in.Risk, &p.Propagation, 0)
		if err != nil {
			t.Fatal(err)
		}
		bound := res.Delta*a/(1-a) + 1e-14
		for v := range res.Score {
			if d := math.Abs(res.Score[v] - exact.Score[v]); d > bound {
				t.Fatalf("%s: node %d off by %g > δ·α/(1−α) = %g", name, v, d, bound)
			}
		}
		iters[name] = res.Iterations
	}
	t.Logf("sweeps to %g: %v", p.Propagation.Tolerance, iters)
	if iters["phased"] >= iters["jacobi"] {
		t.Errorf("phased sweeps %d, Jacobi %d: the phases do not help", iters["phased"], iters["jacobi"])
	}
}

// TestPullOperator: the operator of a full run is BuildOperator's without
// the transpose, and a push refuses it instead of reading nil weights.
func TestPullOperator(t *testing.T) {
	gs := generated(t, 2000)
	p := DefaultParams()
	full, pull := BuildOperator(gs.graph, &p, genToday), BuildPullOperator(gs.graph, &p, genToday)
	if !slices.Equal(full.Off, pull.Off) || !slices.Equal(full.Src, pull.Src) || !slices.Equal(full.Wt, pull.Wt) ||
		!reflect.DeepEqual(full.Phases, pull.Phases) {
		t.Fatal("the pull operator differs from BuildOperator's rows")
	}
	if pull.RevWt != nil || len(full.RevWt) != len(full.Wt) {
		t.Fatalf("transposed weights: pull %d, full %d of %d", len(pull.RevWt), len(full.RevWt), len(full.Wt))
	}
	in := ComputeIntrinsic(gs.graph, &p, genToday)
	if _, err := PropagatePush(pull, in.Risk, make([]float64, len(in.Risk)), p.Propagation.Alpha, 1e-9, 100, 0); err == nil {
		t.Fatal("a push on an operator without transpose must fail")
	}
}
