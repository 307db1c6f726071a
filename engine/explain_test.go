package engine

import (
	"math"
	"testing"
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
				t.Errorf("node %d record %s: contribution %.12f, propagating it alone gives %.12f", v, g.RecordIDs[c.Record], c.Amount, res.Score[v])
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
