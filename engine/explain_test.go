package engine

import (
	"cmp"
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"riskgraph/store"
	"riskgraph/synth"
)

// TestExplainContributionsAreExact: each listed contribution equals the
// score obtained by propagating that record's share alone (linearity), and
// the contributions plus the remainder sum to the score.
func TestExplainContributionsAreExact(t *testing.T) {
	gs := generated(t, 2_000)
	g := gs.graph
	p := DefaultParams()
	p.Propagation.Tolerance = 1e-13
	s, in, op := scores(t, g, &p, genToday)
	checked := 0
	for v := int32(0); v < int32(g.N()) && checked < 5; v++ {
		if !g.IsEntity(v) || s[v] < 0.02 || in.Risk[v] == s[v] {
			continue
		}
		ex := Explain(g, op, in, s, p.Propagation.Alpha, v, 5, 1e-12)
		if len(ex.Contributions) < 2 {
			continue
		}
		checked++
		sum := ex.Remainder
		for _, c := range ex.Contributions {
			sum += c.Amount
			single := make([]float64, g.N())
			single[c.Subject] = in.Share[c.Record]
			res, err := Propagate(op, single, &p.Propagation, 0)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(res.Score[v]-c.Amount) > 1e-9 {
				t.Errorf("node %d record %s: contribution %.12f, propagating it alone gives %.12f", v, g.RecordIDs.At(c.Record), c.Amount, res.Score[v])
			}
			if c.Path[0] != c.Subject || c.Path[len(c.Path)-1] != v {
				t.Errorf("path %v does not run from the subject %d to the target %d", c.Path, c.Subject, v)
			}
		}
		if math.Abs(sum-ex.Score) > 1e-12 {
			t.Errorf("contributions + remainder = %g, score %g", sum, ex.Score)
		}
		if ex.Remainder < -1e-9 {
			t.Errorf("negative remainder %g", ex.Remainder)
		}
	}
	if checked == 0 {
		t.Fatal("no entity with several contributions found")
	}
}

// TestExplainBoundedAgreesWithExact: on a generated graph projected from
// each backend, the bounded explanation the API shows agrees with the
// exhaustive reverse push within the bounds both report: a record listed
// by both has amounts whose intervals [amount, amount + unaccounted]
// overlap (each is a lower bound of the exact value, at most its
// Unaccounted below it), every record the exhaustive push lists is listed
// unless its amount is within the bounded one's Unaccounted of the
// smallest listed (or of zero), and the listed amounts, remainder and
// score add up. It also checks that Unaccounted is what it claims: the
// exact contribution of the largest record (propagated alone) lies in
// [amount, amount + Unaccounted].
func TestExplainBoundedAgreesWithExact(t *testing.T) {
	gs := generated(t, 2_000)
	for name, open := range sameAsBackends(t) {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			ctx := context.Background()
			if err := gs.store.Scan(ctx, 5000, func(b *store.Batch) error { return st.WriteBatch(ctx, b) }); err != nil {
				t.Fatal(err)
			}
			p := DefaultParams()
			p.Propagation.Tolerance = 1e-13
			res, err := Run(ctx, st, Options{Params: p, Today: synth.DefaultReferenceDate()})
			if err != nil {
				t.Fatal(err)
			}
			g, pp := res.Graph, &res.Params.Propagation
			op := BuildOperator(g, &res.Params, res.Today)
			const slack = 1e-11 // the scores' own convergence error and rounding
			checked, partial, alone := 0, 0, 0
			for v := int32(0); v < int32(g.N()); v += 7 {
				if !g.IsEntity(v) || res.Score[v] == 0 {
					continue
				}
				checked++
				exact := Explain(g, op, res.Intrinsic, res.Score, pp.Alpha, v, pp.TopK, 1e-12)
				got := res.Explain(v)
				if got.Unaccounted > pp.ExplainTolerance*res.Score[v] {
					partial++ // stopped by the work bound; the bound is still stated
				}
				sum := got.Remainder
				byRecord := map[int32]Contribution{}
				for i, c := range got.Contributions {
					sum += c.Amount
					byRecord[c.Record] = c
					if c.Path[0] != c.Subject || c.Path[len(c.Path)-1] != v {
						t.Fatalf("node %d: path %v does not run from the subject %d to the target", v, c.Path, c.Subject)
					}
					for k := 1; k < len(c.Path); k++ {
						if !receives(op, c.Path[k], c.Path[k-1]) {
							t.Fatalf("node %d: path %v: %d receives nothing from %d", v, c.Path, c.Path[k], c.Path[k-1])
						}
					}
					if i > 0 && c.Amount > got.Contributions[i-1].Amount {
						t.Fatalf("node %d: contributions not in decreasing order", v)
					}
				}
				if math.Abs(sum-got.Score) > 1e-12 || got.Score != res.Score[v] {
					t.Fatalf("node %d: contributions + remainder = %g, score %g", v, sum, res.Score[v])
				}
				floor := 0.0
				if len(got.Contributions) == pp.TopK {
					floor = got.Contributions[len(got.Contributions)-1].Amount
				}
				for _, c := range exact.Contributions {
					b, ok := byRecord[c.Record]
					switch {
					case ok && (b.Amount > c.Amount+exact.Unaccounted+slack || c.Amount > b.Amount+got.Unaccounted+slack):
						t.Errorf("node %d record %s: bounded %.15g (+%.3g), exhaustive %.15g (+%.3g): the intervals do not meet",
							v, g.RecordIDs.At(c.Record), b.Amount, got.Unaccounted, c.Amount, exact.Unaccounted)
					case !ok && c.Amount > floor+got.Unaccounted+slack:
						t.Errorf("node %d: record %s (%.15g) missing from the bounded explanation (smallest listed %.3g, unaccounted %.3g)",
							v, g.RecordIDs.At(c.Record), c.Amount, floor, got.Unaccounted)
					}
				}
				if len(got.Contributions) > 0 && alone < 10 {
					alone++
					c := got.Contributions[0]
					single := make([]float64, g.N())
					single[c.Subject] = res.Intrinsic.Share[c.Record]
					pr, err := Propagate(op, single, pp, 0)
					if err != nil {
						t.Fatal(err)
					}
					if x := pr.Score[v]; x < c.Amount-slack || x > c.Amount+got.Unaccounted+slack {
						t.Errorf("node %d record %s: exact %.15g outside [%.15g, +%.3g]", v, g.RecordIDs.At(c.Record), x, c.Amount, got.Unaccounted)
					}
				}
			}
			if checked < 100 {
				t.Fatalf("only %d entities with a score", checked)
			}
			t.Logf("%d explanations compared, %d stopped by the work bound", checked, partial)
		})
	}
}

// receives reports whether u receives from w in op (W[u][w] > 0).
func receives(op *Operator, u, w int32) bool {
	for k := op.Off[u]; k < op.Off[u+1]; k++ {
		if op.Src[k] == w && op.Wt[k] > 0 {
			return true
		}
	}
	return false
}

// TestKeepTop: keepTop keeps the head of the whole list sorted by amount,
// largest first, ties by record, whatever order the contributions come in.
func TestKeepTop(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		var all []Contribution
		for i := range rng.IntN(40) {
			// Few distinct amounts, so that ties are common.
			all = append(all, Contribution{Record: int32(i), Amount: float64(rng.IntN(5) + 1)})
		}
		rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
		k := 1 + round%7
		var top []Contribution
		for _, c := range all {
			top = keepTop(top, c, k)
		}
		want := slices.Clone(all)
		slices.SortFunc(want, func(a, b Contribution) int {
			if c := cmp.Compare(b.Amount, a.Amount); c != 0 {
				return c
			}
			return cmp.Compare(a.Record, b.Record)
		})
		want = want[:min(k, len(want))]
		if len(want) == 0 {
			want = nil
		}
		if !slices.EqualFunc(top, want, func(a, b Contribution) bool { return a.Record == b.Record && a.Amount == b.Amount }) {
			t.Fatalf("k=%d of %v: kept %v, want %v", k, all, top, want)
		}
	}
}

// TestStoredDetailsKeepTheBound: the details written with a result list
// a bounded explanation of their own work bound (details_max_work, here
// its smallest value, so that many stop by it) and state its U
// (unaccounted). Compared with the exhaustive explanation, every listed
// amount is below the exact one by at most U, no record left out exceeds
// the smallest listed plus U (U alone when fewer are listed), and the
// amounts and the remainder, which includes U, add up to the score.
func TestStoredDetailsKeepTheBound(t *testing.T) {
	gs := generated(t, 2_000)
	p := DefaultParams()
	p.Propagation.Tolerance = 1e-13
	p.Propagation.DetailsMaxWork = 1_000
	res, err := Compute(context.Background(), gs.graph, Options{Params: p, Today: synth.DefaultReferenceDate()})
	if err != nil {
		t.Fatal(err)
	}
	g, pp := res.Graph, &res.Params.Propagation
	op := BuildOperator(g, &res.Params, res.Today)
	const slack = 1e-11
	checked, stopped := 0, 0
	for v := range int32(g.N()) {
		raw := res.DetailsJSON(v)
		if !g.IsEntity(v) || res.Score[v] == 0 || raw == nil {
			continue
		}
		var d Details
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatal(err)
		}
		checked++
		if d.Unaccounted > pp.ExplainTolerance*res.Score[v] {
			stopped++
		}
		sum := d.Remainder
		for _, c := range d.Contributions {
			sum += c.Amount
		}
		if math.Abs(sum-res.Score[v]) > 1e-12 || d.Unaccounted < 0 || d.Remainder < d.Unaccounted-1e-12 {
			t.Fatalf("node %d: amounts + remainder %g, score %g; remainder %g, unaccounted %g", v, sum, res.Score[v], d.Remainder, d.Unaccounted)
		}
		exact := Explain(g, op, res.Intrinsic, res.Score, pp.Alpha, v, 1000, 1e-12)
		byRecord := map[string]float64{}
		for _, c := range exact.Contributions {
			byRecord[g.RecordIDs.At(c.Record)] = c.Amount
		}
		listed := map[string]bool{}
		for _, c := range d.Contributions {
			listed[c.Record] = true
			x := byRecord[c.Record]
			if c.Amount > x+exact.Unaccounted+slack || c.Amount < x-d.Unaccounted-slack {
				t.Errorf("node %d record %s: stored %.15g, exact %.15g (+%.3g): more than U = %.3g apart", v, c.Record, c.Amount, x, exact.Unaccounted, d.Unaccounted)
			}
		}
		if trimmed := len(d.Contributions) < min(detailsContribs, len(res.explainForDetails(v).Contributions)); trimmed {
			continue // cut to fit the size limit: the rest is in the remainder
		}
		floor := 0.0
		if n := len(d.Contributions); n == detailsContribs {
			floor = d.Contributions[n-1].Amount
		}
		for id, x := range byRecord {
			if !listed[id] && x > floor+d.Unaccounted+slack {
				t.Errorf("node %d: record %s (%.15g) left out: smallest listed %.3g, unaccounted %.3g", v, id, x, floor, d.Unaccounted)
			}
		}
	}
	if checked < 100 || stopped == 0 {
		t.Fatalf("%d details checked, %d stopped by the work bound: the sample does not test it", checked, stopped)
	}
	t.Logf("%d stored details checked, %d stopped by details_max_work", checked, stopped)
}

// TestDetailsMaxWorkValidated: details_max_work out of range is refused
// with what to write instead; the default is valid.
func TestDetailsMaxWorkValidated(t *testing.T) {
	for _, w := range []int{0, 999, 100_000_001} {
		p := DefaultParams()
		p.Propagation.DetailsMaxWork = w
		if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "details_max_work") {
			t.Errorf("details_max_work %d: %v", w, err)
		}
	}
	if _, err := ParseParams([]byte(`{"propagation": {"details_max_work": 2000}}`)); err != nil {
		t.Error(err)
	}
}
