package engine

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/synth"
)

// TestIncrementalMatchesFullWithinBound: after a full run is written back,
// new records (one on an enterprise, one on a person, one on a new
// enterprise) and a new controlling holding arrive; an incremental run from
// the stored scores agrees with a full run on the new data within the sum
// of both documented bounds (the full run's tolerance·α/(1−α), the
// incremental run's IncrementalBound), needs far fewer
// pushes than a full propagation's node updates, and writes back only the
// entities that changed, which include the records' subjects.
func TestIncrementalMatchesFullWithinBound(t *testing.T) {
	ctx := context.Background()
	gs := generated(t, 10_000)
	st := gs.writableCopy(t)
	clock := func() time.Time { return time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC) }
	opts := Options{Params: DefaultParams(), Today: synth.DefaultReferenceDate()}
	first, _, err := Score(ctx, st, opts, "run-1", clock)
	if err != nil {
		t.Fatal(err)
	}
	g0 := first.Graph
	// Subjects: a low-risk enterprise, a person, and a new enterprise held by the first.
	var ent, per int32 = -1, -1
	for v := int32(0); v < int32(g0.N()); v++ {
		if ent < 0 && g0.Kinds[v] == NodeEnterprise && first.Score[v] == 0 && g0.OutOff[v+1]-g0.OutOff[v] > 0 {
			ent = v
		}
		if per < 0 && g0.Kinds[v] == NodePerson && g0.OutOff[v+1]-g0.OutOff[v] >= 2 {
			per = v
		}
	}
	if ent < 0 || per < 0 {
		t.Fatal("no suitable subjects")
	}
	newKey := "src:inc:NEW1"
	decided := models.NewDate(2026, 3, 1)
	b := &store.Batch{
		Enterprises:   []models.Enterprise{{Key: newKey, Name: "新设公司", Status: models.StatusActive}},
		Shareholdings: []models.Shareholding{{Holder: g0.Ref(ent), Enterprise: newKey, Ratio: 0.8}},
		Records: []models.Record{
			{ID: "inc-1", Subject: g0.Ref(ent), Kind: models.RecordSeriousViolation, Severity: 0.9, Decided: decided},
			{ID: "inc-2", Subject: g0.Ref(per), Kind: models.RecordDishonestDebtor, Severity: 0.7, Decided: decided},
			{ID: "inc-3", Subject: models.EnterpriseRef(newKey), Kind: models.RecordPenalty, Severity: 0.4, Decided: decided},
		},
	}
	if err := st.WriteBatch(ctx, b); err != nil {
		t.Fatal(err)
	}
	full, err := Run(ctx, st, opts)
	if err != nil {
		t.Fatal(err)
	}
	incOpts := opts
	incOpts.Incremental = true
	inc, run, err := Score(ctx, st, incOpts, "run-2", clock)
	if err != nil {
		t.Fatal(err)
	}
	if inc.Graph.Previous == nil || inc.Pushes == 0 {
		t.Fatalf("not an incremental run: pushes %d", inc.Pushes)
	}
	pp := opts.Params.Propagation
	bound := pp.Bound() + pp.IncrementalBound() + 1e-15
	worst := 0.0
	for v := int32(0); v < int32(full.Graph.N()); v++ {
		w, ok := inc.Graph.Lookup(full.Graph.Ref(v))
		if !full.Graph.IsEntity(v) {
			continue
		}
		if !ok {
			t.Fatalf("%s missing from the incremental projection", full.Graph.Ref(v))
		}
		d := math.Abs(full.Score[v] - inc.Score[w])
		worst = math.Max(worst, d)
		if d > bound {
			t.Fatalf("%s: incremental %g, full %g: differ by %g > %g", full.Graph.Ref(v), inc.Score[w], full.Score[v], d, bound)
		}
	}
	sweepWork := full.Iterations * full.Graph.N()
	t.Logf("largest difference %.3g (bound %.3g); %d pushes vs %d node updates of the full run (%d sweeps); %d of %d entities written",
		worst, bound, inc.Pushes, sweepWork, full.Iterations, inc.written, full.Graph.NumEnterprises+full.Graph.NumPersons)
	if inc.Pushes*10 > sweepWork {
		t.Errorf("%d pushes is not local (full run: %d node updates)", inc.Pushes, sweepWork)
	}
	if inc.written == 0 || inc.written*2 > full.Graph.NumEnterprises+full.Graph.NumPersons {
		t.Errorf("incremental run wrote %d results", inc.written)
	}
	// The subjects' stored scores are the incremental ones.
	for _, ref := range []models.Ref{g0.Ref(ent), g0.Ref(per), models.EnterpriseRef(newKey)} {
		v, _ := inc.Graph.Lookup(ref)
		var got *models.Risk
		if ref.Kind == models.KindPerson {
			p, err := st.Person(ctx, ref.Key)
			if err != nil {
				t.Fatal(err)
			}
			got = p.Risk
		} else {
			e, err := st.Enterprise(ctx, ref.Key)
			if err != nil {
				t.Fatal(err)
			}
			got = e.Risk
		}
		if got == nil || got.Run != run.ID || got.Score != inc.Score[v] {
			t.Errorf("%s: stored %+v, want score %g of %s", ref, got, inc.Score[v], run.ID)
		}
	}
}

// TestPropagatePushFromScratch: pushing from a zero start solves the same
// system as the sweeps, within ε/(1−α), with signed residuals.
func TestPropagatePushFromScratch(t *testing.T) {
	gs := generated(t, 2_000)
	p := DefaultParams()
	in := ComputeIntrinsic(gs.graph, &p, genToday)
	op := BuildOperator(gs.graph, &p, genToday)
	exactP := p.Propagation
	exactP.Tolerance = 1e-15
	exact, err := Propagate(op, in.Risk, &exactP, 0)
	if err != nil {
		t.Fatal(err)
	}
	// From zero and from a start above the solution (negative residuals).
	high := make([]float64, len(in.Risk))
	for i := range high {
		high[i] = 1
	}
	const eps = 1e-11
	for name, start := range map[string][]float64{"zero": make([]float64, len(in.Risk)), "ones": high} {
		res, err := PropagatePush(op, in.Risk, start, p.Propagation.Alpha, eps, 1<<30, 0)
		if err != nil {
			t.Fatal(err)
		}
		bound := eps/(1-p.Propagation.Alpha) + 1e-15
		for v := range res.Score {
			if d := math.Abs(res.Score[v] - exact.Score[v]); d > bound {
				t.Fatalf("%s: node %d off by %g > ε/(1−α) = %g", name, v, d, bound)
			}
		}
		if res.Delta > eps {
			t.Fatalf("%s: residual %g left above ε", name, res.Delta)
		}
	}
	if _, err := PropagatePush(op, in.Risk, high, p.Propagation.Alpha, eps, 10, 0); err == nil {
		t.Error("a push budget of 10 must be reported as exceeded")
	}
}

// TestRestore: no completed run gives ErrNoCompletedRun; after a run,
// Restore recomputes the same scores (within the bound) with the run's
// parameters and day, with few pushes, and writes nothing.
func TestRestore(t *testing.T) {
	ctx := context.Background()
	gs := generated(t, 2_000)
	st := gs.writableCopy(t)
	if _, _, err := Restore(ctx, st); !errors.Is(err, ErrNoCompletedRun) {
		t.Fatalf("restore without a run: %v", err)
	}
	p := DefaultParams()
	p.Propagation.Alpha = 0.6
	opts := Options{Params: p, Today: synth.DefaultReferenceDate()}
	clock := func() time.Time { return time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC) }
	first, run, err := Score(ctx, st, opts, "run-1", clock)
	if err != nil {
		t.Fatal(err)
	}
	gen, _ := st.Generation(ctx)
	res, got, err := Restore(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != run.ID || res.Params.Propagation.Alpha != 0.6 || res.Today != first.Today {
		t.Fatalf("restored run %s alpha %g today %v", got.ID, res.Params.Propagation.Alpha, res.Today)
	}
	if res.Pushes > first.Graph.N() {
		t.Errorf("restore took %d pushes on unchanged data of %d nodes", res.Pushes, first.Graph.N())
	}
	a := p.Propagation.Alpha
	bound := 2*p.Propagation.Tolerance*a/(1-a) + 1e-15
	for v := range first.Score {
		if d := math.Abs(first.Score[v] - res.Score[v]); d > bound {
			t.Fatalf("node %d: restored %g, run %g", v, res.Score[v], first.Score[v])
		}
	}
	if res.Ownership == nil || res.Flags == nil {
		t.Fatal("restore must compute owners and flags")
	}
	if gen2, _ := st.Generation(ctx); gen2 != gen {
		t.Error("restore wrote to the store")
	}
	if runs, _ := st.Runs(ctx, 10); len(runs) != 1 {
		t.Errorf("restore recorded a run: %d runs", len(runs))
	}
}

// TestPropagateIncrementalLocalAndWide: from the exact solution of the
// old data, a change that stays local (one node's intrinsic risk) is
// settled by the push alone, and a change that spreads (every node's start
// off by up to 1e-5, as stored scores under the write tolerance, and a
// tenth of the nodes' intrinsic risk raised) makes it change to sweeps;
// both end within the propagation's bound of the exact new solution.
func TestPropagateIncrementalLocalAndWide(t *testing.T) {
	gs := generated(t, 10_000)
	p := DefaultParams()
	pp := &p.Propagation
	in := ComputeIntrinsic(gs.graph, &p, genToday)
	op := BuildOperator(gs.graph, &p, genToday)
	solve := exactSolver(t, op, pp)
	old := solve(in.Risk)
	n := len(in.Risk)
	cases := []struct {
		name   string
		change func(r, start []float64)
		sweeps bool
	}{
		{"local", func(r, _ []float64) {
			// An enterprise that no risk reached, with neighbours.
			for v := range r {
				if gs.graph.Kinds[v] == NodeEnterprise && old[v] == 0 && op.RevOff[v+1]-op.RevOff[v] > 0 {
					r[v] = 0.5
					return
				}
			}
		}, false},
		{"wide", func(r, start []float64) {
			for v := range start {
				start[v] += 1e-5 * float64(v%7-3) / 3
				if v%10 == 0 {
					r[v] = math.Min(1, r[v]+0.5)
				}
			}
		}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, start := slices.Clone(in.Risk), slices.Clone(old)
			tc.change(r, start)
			exact := solve(r)
			res, err := PropagateIncremental(op, r, start, pp, 0)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("frontier %d of %d nodes, %d pushes, %d sweeps", res.Frontier, n, res.Pushes, res.Sweeps)
			if (res.Sweeps > 0) != tc.sweeps {
				t.Errorf("%d sweeps after %d pushes; want sweeps: %v", res.Sweeps, res.Pushes, tc.sweeps)
			}
			if res.Pushes == 0 {
				t.Error("no push made")
			}
			bound := pp.IncrementalBound() + 1e-15
			for v := range exact {
				if d := math.Abs(res.Score[v] - exact[v]); d > bound {
					t.Fatalf("node %d: %g, exact %g: off by %g > bound %g", v, res.Score[v], exact[v], d, bound)
				}
			}
		})
	}
}

// TestFlagMaskOf: the write-back's flag comparison (Flags.maskOf, no list
// built) gives every node the mask of its listed kinds.
func TestFlagMaskOf(t *testing.T) {
	g := generated(t, 2000).graph
	res, err := Compute(t.Context(), g, Options{Params: DefaultParams(), Today: genToday.Date()})
	if err != nil {
		t.Fatal(err)
	}
	flagged := 0
	for v := range int32(g.N()) {
		want := flagMask(res.Flags.KindsOf(v))
		if got := res.Flags.maskOf(v); got != want {
			t.Fatalf("node %d (%v): mask %b, want %b", v, res.Flags.KindsOf(v), got, want)
		}
		if want != 0 {
			flagged++
		}
	}
	if flagged == 0 {
		t.Fatal("no node is flagged: the test compares nothing")
	}
}

// TestIncrementalFromExactScores: after a 1 % day scored incrementally,
// the stored scores lag the run's by up to the write tolerance. On the
// next day (one new record), an incremental run that starts from the
// stored scores meets that lag everywhere and sweeps; one that starts
// from the last run's exact scores (Previous.Exact, as a projection
// snapshot keeps them) settles by pushes alone. From those, from scores
// of another run, and from nonsense, the scores agree with a full run's
// within both bounds, and the results written (Changed: compared with the
// stored scores) are the same whatever the start, but for entities whose
// move from the stored score lies within those bounds of the write
// threshold (the incremental run's bound, 1e-7 by default, lets a start
// decide those; with the full run's 1e-9 none was met here).
func TestIncrementalFromExactScores(t *testing.T) {
	ctx := context.Background()
	gs := generated(t, 10_000)
	st := gs.writableCopy(t)
	clock := func() time.Time { return time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC) }
	opts := Options{Params: DefaultParams(), Today: synth.DefaultReferenceDate()}
	first, _, err := Score(ctx, st, opts, "run-1", clock)
	if err != nil {
		t.Fatal(err)
	}
	day := &store.Batch{}
	var quiet models.Ref // an enterprise no risk reached, with neighbours
	for v := range int32(first.Graph.N()) {
		if first.Graph.Kinds[v] != NodeEnterprise {
			continue
		}
		if v%100 == 0 {
			day.Records = append(day.Records, models.Record{ID: fmt.Sprintf("day-%d", v), Subject: first.Graph.Ref(v),
				Kind: models.RecordPenalty, Severity: 0.5, Decided: models.NewDate(2025, 6, 1)})
		} else if quiet.Key == "" && first.Score[v] == 0 && first.Graph.OutOff[v+1]-first.Graph.OutOff[v] > 0 {
			quiet = first.Graph.Ref(v)
		}
	}
	if err := st.WriteBatch(ctx, day); err != nil {
		t.Fatal(err)
	}
	inc := opts
	inc.Incremental = true
	second, _, err := Score(ctx, st, inc, "run-2", clock)
	if err != nil {
		t.Fatal(err)
	}
	next := &store.Batch{Records: []models.Record{{ID: "next-1", Subject: quiet, Kind: models.RecordPenalty, Severity: 0.4,
		Decided: models.NewDate(2025, 7, 1)}}}
	if err := st.WriteBatch(ctx, next); err != nil {
		t.Fatal(err)
	}
	full, err := Run(ctx, st, opts)
	if err != nil {
		t.Fatal(err)
	}
	// exactFrom gives each entity of g the score res computed for it.
	exactFrom := func(g *Graph, res *Result) []float64 {
		x := make([]float64, g.N())
		for v := range x {
			x[v] = math.NaN()
			if w, ok := res.Graph.Lookup(g.Ref(int32(v))); ok && g.IsEntity(int32(v)) {
				x[v] = res.Score[w]
			}
		}
		return x
	}
	cases := []struct {
		name   string
		exact  func(g *Graph) []float64
		sweeps bool // the run must sweep (true) or settle by pushes (false)
	}{
		{"stored", func(*Graph) []float64 { return nil }, true},
		{"exact", func(g *Graph) []float64 { return exactFrom(g, second) }, false},
		{"another run's", func(g *Graph) []float64 { return exactFrom(g, first) }, true},
		{"nonsense", func(g *Graph) []float64 {
			x := make([]float64, g.N())
			for v := range x {
				x[v] = float64(v%5) / 4
			}
			return x
		}, true},
	}
	var written map[models.Ref]bool
	p := opts.Params.Propagation
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sets, err := SameAsSets(ctx, st)
			if err != nil {
				t.Fatal(err)
			}
			g, err := projectPrevious(ctx, st, sets)
			if err != nil {
				t.Fatal(err)
			}
			g.Previous.Exact = tc.exact(g)
			hadExact := g.Previous.Exact != nil
			res, err := Compute(ctx, g, inc)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d entities from exact scores, %d pushes, %d sweeps", res.ExactStart, res.Pushes, res.Iterations)
			if (res.Iterations > 0) != tc.sweeps {
				t.Errorf("%d sweeps after %d pushes; want sweeps: %v", res.Iterations, res.Pushes, tc.sweeps)
			}
			if (res.ExactStart > 0) != hadExact || g.Previous.Exact != nil {
				t.Errorf("%d entities started from exact scores", res.ExactStart)
			}
			bound := p.Bound() + p.IncrementalBound() + 1e-15
			got := map[models.Ref]bool{}
			for v := range int32(g.N()) {
				if !g.IsEntity(v) {
					continue
				}
				w, _ := full.Graph.Lookup(g.Ref(v))
				if d := math.Abs(res.Score[v] - full.Score[w]); d > bound {
					t.Fatalf("%s: %g, full run %g: off by %g > %g", g.Ref(v), res.Score[v], full.Score[w], d, bound)
				}
				if res.Changed(v) {
					got[g.Ref(v)] = true
				}
			}
			if len(got) == 0 {
				t.Fatal("nothing to write")
			}
			if written == nil {
				written = got
				return
			}
			// The write decision may differ from one start to another
			// only for an entity whose move from its stored score lies
			// within the bounds of the write threshold (an incremental
			// score is known to IncrementalBound, the full run's to Bound).
			differ := 0
			for v := range int32(g.N()) {
				ref := g.Ref(v)
				if !g.IsEntity(v) || got[ref] == written[ref] {
					continue
				}
				differ++
				w, _ := full.Graph.Lookup(ref)
				moved := math.Abs(full.Score[w] - g.Previous.Score[v])
				if math.Abs(moved-p.WriteThreshold()) > bound {
					t.Errorf("%s: written %v, from the stored scores %v; moved %g, not within %g of the threshold %g",
						ref, got[ref], written[ref], moved, bound, p.WriteThreshold())
				}
			}
			t.Logf("%d results to write; from the stored scores %d; %d decided otherwise, at the threshold", len(got), len(written), differ)
			if entities := g.NumEnterprises + g.NumPersons; differ*1000 > entities {
				t.Errorf("%d of %d entities' write decisions differ from the stored scores' start", differ, entities)
			}
		})
	}
}

// TestIncrementalTolerance: propagation.incremental_tolerance is refused
// out of range; the tolerance an incremental run stops at is it, never
// tighter than the full run's and never so loose that the bound exceeds a
// hundredth of the write threshold (so with write_tolerance 0 it is the
// full run's); a coarse full-run tolerance with the default incremental
// one is accepted.
func TestIncrementalTolerance(t *testing.T) {
	for _, v := range []float64{-1e-7, 2e-5, math.NaN()} {
		p := DefaultParams()
		p.Propagation.IncrementalTolerance = v
		if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "incremental_tolerance") {
			t.Errorf("incremental_tolerance %g: %v", v, err)
		}
	}
	p, err := ParseParams([]byte(`{"propagation": {"incremental_tolerance": 1e-8}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Propagation.IncrementalTol(); got != 1e-8 {
		t.Errorf("incremental_tolerance 1e-8: stops at %g", got)
	}
	cases := []struct {
		name          string
		set           func(pp *PropagationParams)
		tol, boundMax float64
	}{
		{"default", func(*PropagationParams) {}, 1e-7, 1e-7},
		{"0: the tolerance", func(pp *PropagationParams) { pp.IncrementalTolerance = 0 }, 1e-9, 1e-9},
		{"write_tolerance 0", func(pp *PropagationParams) { pp.WriteTolerance = 0 }, 1e-9, 1e-9},
		{"capped by the write threshold", func(pp *PropagationParams) { pp.IncrementalTolerance = 1e-5 }, 1e-7, 1e-7},
		{"a looser write threshold", func(pp *PropagationParams) { pp.IncrementalTolerance, pp.WriteTolerance = 1e-5, 1e-4 }, 1e-6, 1e-6},
		{"alpha 0.8", func(pp *PropagationParams) { pp.Alpha = 0.8 }, 2.5e-8, 1e-7},
		{"below the tolerance", func(pp *PropagationParams) { pp.IncrementalTolerance = 1e-10 }, 1e-9, 1e-9},
		{"a coarse tolerance", func(pp *PropagationParams) { pp.Tolerance = 1e-5 }, 1e-5, 1e-5},
	}
	for _, tc := range cases {
		p := DefaultParams()
		pp := &p.Propagation
		tc.set(pp)
		if err := p.Validate(); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		if got := pp.IncrementalTol(); math.Abs(got-tc.tol) > 1e-6*tc.tol {
			t.Errorf("%s: stops at %g, want %g", tc.name, got, tc.tol)
		}
		if b := pp.IncrementalBound(); b > tc.boundMax*(1+1e-9) || b < pp.Bound() || b > max(pp.Bound(), pp.WriteThreshold()/100)*(1+1e-9) {
			t.Errorf("%s: bound %g: want at most %g, at least the full run's %g, at most a hundredth of the write threshold %g", tc.name, b, tc.boundMax, pp.Bound(), pp.WriteThreshold())
		}
	}
}

// TestPropagateIncrementalWithinItsBound: on the generated graph after a
// 1 % day (the intrinsic risk of every hundredth enterprise raised) and
// after a small one (every ten thousandth), from the exact old solution,
// PropagateIncremental ends within IncrementalBound of the exact new
// solution for each incremental tolerance, bit for bit the same with one
// worker as with four, and a looser tolerance does less work.
func TestPropagateIncrementalWithinItsBound(t *testing.T) {
	gs := generated(t, 10_000)
	p := DefaultParams()
	in := ComputeIntrinsic(gs.graph, &p, genToday)
	op := BuildOperator(gs.graph, &p, genToday)
	solve := exactSolver(t, op, &p.Propagation)
	old := solve(in.Risk)
	for _, every := range []int{100, 10_000} {
		r := slices.Clone(in.Risk)
		ne := 0
		for v := range r {
			if gs.graph.Kinds[v] == NodeEnterprise {
				if ne%every == 7 {
					r[v] = 1 - (1-r[v])*0.5
				}
				ne++
			}
		}
		exact := solve(r)
		work := map[float64]int{}
		for _, tol := range []float64{0, 1e-8, DefaultIncrementalTolerance} {
			pp := p.Propagation
			pp.IncrementalTolerance = tol
			res, err := PropagateIncremental(op, r, old, &pp, 1)
			if err != nil {
				t.Fatal(err)
			}
			four, err := PropagateIncremental(op, r, old, &pp, 4)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(res.Score, four.Score) {
				t.Errorf("every %d, tolerance %g: one worker's scores differ from four's", every, tol)
			}
			bound, worst := pp.IncrementalBound(), 0.0
			for v := range exact {
				d := math.Abs(res.Score[v] - exact[v])
				worst = math.Max(worst, d)
				if d > bound+1e-15 {
					t.Fatalf("every %d, tolerance %g: node %d: %g, exact %g: off by %g > bound %g", every, tol, v, res.Score[v], exact[v], d, bound)
				}
			}
			work[tol] = res.Pushes + res.Sweeps*len(r)
			t.Logf("every %d, incremental tolerance %g (bound %g): %d pushes, %d sweeps, worst %.3g", every, tol, bound, res.Pushes, res.Sweeps, worst)
		}
		if !(work[DefaultIncrementalTolerance] < work[1e-8] && work[1e-8] < work[0]) {
			t.Errorf("every %d: pushes + sweeps' node updates %v: a looser tolerance does not do less", every, work)
		}
	}
}

// exactSolver returns a solve of the propagation on op with pp at
// tolerance 1e-15 (the exact fixed point, for comparisons), failing t
// on an error.
func exactSolver(t *testing.T, op *Operator, pp *PropagationParams) func(r []float64) []float64 {
	exactP := *pp
	exactP.Tolerance = 1e-15
	return func(r []float64) []float64 {
		t.Helper()
		res, err := Propagate(op, r, &exactP, 0)
		if err != nil {
			t.Fatal(err)
		}
		return res.Score
	}
}
