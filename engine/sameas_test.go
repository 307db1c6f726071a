package engine

import (
	"context"
	"testing"
	"time"

	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/memory"
	"riskgraph/store/neo4j/neo4jtest"
)

// A SAME_AS set: B (USCC) and X (another data set's key) are one company.
const (
	saH  = "914403001922038216" // holds 60 % of B, recorded again on X
	saB  = "914403004JURQ283F0"
	saD  = "911101050WTCDKQQ0L" // held 100 % by X
	saX  = "src:tax:B-0001"
	saP9 = "9a1b2c3d4e5f60718293a4b5c6d7e8f9" // holds 30 % of X
)

// sameAsBackends are the backends the SAME_AS engine tests run on.
func sameAsBackends(t *testing.T) map[string]func(t *testing.T) store.Store {
	return map[string]func(t *testing.T) store.Store{
		"memory": func(t *testing.T) store.Store {
			s, err := memory.Open(memory.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
		"neo4j": func(t *testing.T) store.Store { return neo4jtest.Open(t) },
	}
}

func sameAsStore(t *testing.T, open func(t *testing.T) store.Store) store.Store {
	t.Helper()
	s := open(t)
	b := &store.Batch{
		Enterprises: []models.Enterprise{
			{Key: saH, USCC: saH, Name: "星河控股有限公司", Status: models.StatusActive, Region: "440300"},
			{Key: saB, USCC: saB, Name: "深圳市前海星河投资有限公司", Status: models.StatusActive, Region: "440300", Phone: "0755-88886666"},
			{Key: saD, USCC: saD, Name: "北京远景贸易有限公司", Status: models.StatusActive, Region: "110105"},
			{Key: saX, Name: "深圳前海星河投资有限责任公司", Status: models.StatusActive, Phone: "+86 755 8888 6666"},
		},
		Persons: []models.Person{{PID: saP9, Name: "赵敏"}},
		Shareholdings: []models.Shareholding{
			{Holder: models.EnterpriseRef(saH), Enterprise: saB, Ratio: 0.6},
			{Holder: models.EnterpriseRef(saH), Enterprise: saX, Ratio: 0.6}, // the same holding, other data set
			{Holder: models.PersonRef(saP9), Enterprise: saX, Ratio: 0.3},
			{Holder: models.EnterpriseRef(saX), Enterprise: saD, Ratio: 1},
			{Holder: models.EnterpriseRef(saX), Enterprise: saB, Ratio: 0.1}, // inside the set
		},
		Records: []models.Record{{ID: "r9", Subject: models.EnterpriseRef(saX), Kind: models.RecordSeriousViolation, Severity: 0.9,
			Decided: models.NewDate(2025, 3, 1)}},
	}
	if err := s.WriteBatch(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	p := store.XrefPair{ID: store.XrefPairID(saB, saX), A: saB, B: saX, Score: 0.97, Run: "xref-1", Found: time.Now()}
	if _, err := s.AddXrefPairs(context.Background(), []store.XrefPair{p}); err != nil {
		t.Fatal(err)
	}
	return s
}

func decideSameAs(t *testing.T, s store.Store, decision string) {
	t.Helper()
	if _, err := s.DecideXrefPair(context.Background(), store.XrefPairID(saB, saX), store.XrefDecision{Decision: decision, By: "test", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
}

// TestProjectSameAs: the set is one node with the union of its members'
// relationships (parallel holdings once, holdings inside the set dropped)
// and records, found by either key.
func TestProjectSameAs(t *testing.T) {
	for name, open := range sameAsBackends(t) {
		t.Run(name, func(t *testing.T) { testProjectSameAs(t, sameAsStore(t, open)) })
	}
}

func testProjectSameAs(t *testing.T, s store.Store) {
	ctx := context.Background()
	plain, err := Project(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	g, err := ProjectSameAs(ctx, s, [][]string{{saB, saX}})
	if err != nil {
		t.Fatal(err)
	}
	if plain.NumEnterprises != 4 || g.NumEnterprises != 3 {
		t.Fatalf("enterprises: %d plain, %d merged; want 4 and 3", plain.NumEnterprises, g.NumEnterprises)
	}
	vb, okB := g.Lookup(models.EnterpriseRef(saB))
	vx, okX := g.Lookup(models.EnterpriseRef(saX))
	if !okB || !okX || vb != vx || g.Keys.At(vb) != saB {
		t.Fatalf("B %d %v, X %d %v, key %q: want one node keyed by the USCC", vb, okB, vx, okX, g.Keys.At(vb))
	}
	h, _ := g.Lookup(models.EnterpriseRef(saH))
	d, _ := g.Lookup(models.EnterpriseRef(saD))
	p9, _ := g.Lookup(models.PersonRef(saP9))
	holds := map[[2]int32]float64{}
	n := 0
	for i := range g.Edges {
		e := g.Edges[i]
		if e.Type == EdgeHolds {
			holds[[2]int32{e.From, e.To}] = e.Ratio
			n++
		}
		if e.From == e.To {
			t.Errorf("self-loop %+v", e)
		}
	}
	if n != 3 || holds[[2]int32{h, vb}] != 0.6 || holds[[2]int32{p9, vb}] != 0.3 || holds[[2]int32{vb, d}] != 1 {
		t.Errorf("holdings %v (%d); want H→B 0.6 once, P9→B 0.3, B→D 1", holds, n)
	}
	if recs := g.RecordsOf(vb); len(recs) != 1 || g.RecordIDs.At(recs[0]) != "r9" {
		t.Errorf("records of the set: %v", recs)
	}
	phones := 0
	for _, e := range g.Out(vb) {
		if e.Type == EdgePhone {
			phones++
		}
	}
	if phones != 0 {
		// B and X share a phone only with each other: no group node.
		t.Errorf("phone memberships of the set: %d, want 0", phones)
	}
	if al := g.SameAsAliases(); len(al) != 1 || al[saX] != saB {
		t.Errorf("aliases %v", al)
	}
}

// TestScoreSameAs: a scoring run reads the confirmed links; every member
// gets the set's result (score, grade, flags), integrated ownership
// through either member counts for the set, and undo separates them at
// the next run.
func TestScoreSameAs(t *testing.T) {
	for name, open := range sameAsBackends(t) {
		t.Run(name, func(t *testing.T) { testScoreSameAs(t, sameAsStore(t, open)) })
	}
}

func testScoreSameAs(t *testing.T, s store.Store) {
	ctx := context.Background()
	opts := Options{Params: DefaultParams(), Today: models.NewDate(2026, 6, 30)}
	score := func(id string) (*Result, map[string]models.Risk) {
		t.Helper()
		res, _, err := Score(ctx, s, opts, id, time.Now)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]models.Risk{}
		for _, k := range []string{saB, saX} {
			e, err := s.Enterprise(ctx, k)
			if err != nil || e.Risk == nil {
				t.Fatalf("%s after %s: %+v, %v", k, id, e.Risk, err)
			}
			out[k] = *e.Risk
		}
		return res, out
	}
	_, apart := score("run-1")
	if apart[saB].Score == apart[saX].Score {
		t.Fatalf("before the decision B and X score alike (%v)", apart[saB].Score)
	}
	decideSameAs(t, s, store.DecideConfirm)
	res, one := score("run-2")
	b, x := one[saB], one[saX]
	if b.Score != x.Score || b.Grade != x.Grade || len(b.Flags) != len(x.Flags) || b.Run != "run-2" || x.Run != "run-2" {
		t.Errorf("members differ: B %+v, X %+v", b, x)
	}
	if b.Score <= apart[saB].Score {
		t.Errorf("B's score %v did not take X's serious violation (was %v)", b.Score, apart[saB].Score)
	}
	v, _ := res.Graph.Lookup(models.EnterpriseRef(saX))
	p9, _ := res.Graph.Lookup(models.PersonRef(saP9))
	found := false
	for _, st := range res.Ownership.BeneficialOwners(v) {
		if st.Person == p9 && st.Share >= 0.3-1e-9 {
			found = true
		}
	}
	if !found {
		t.Errorf("P9's 30 %% of X is not a beneficial ownership of the set: %+v", res.Ownership.BeneficialOwners(v))
	}
	decideSameAs(t, s, store.DecideUndo)
	_, again := score("run-3")
	if again[saB].Score == again[saX].Score || again[saB].Score != apart[saB].Score {
		t.Errorf("after undo: B %v, X %v; want B back at %v and apart from X", again[saB].Score, again[saX].Score, apart[saB].Score)
	}
}
