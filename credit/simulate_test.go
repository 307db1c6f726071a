package credit_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"riskgraph/credit"
	"riskgraph/engine"
	"riskgraph/store"
)

// TestSimulate: a candidate catalogue that bars, rather than restricts,
// the abnormal-operations list in procurement, bidding, land and honours
// changes exactly the two enterprises on that list in those four
// scenarios; the current catalogue against itself changes nothing; the
// entities without any record around them are not evaluated.
func TestSimulate(t *testing.T) {
	raw, err := os.ReadFile("measures.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	i := strings.Index(text, "id: lists-abnormal-restrict")
	j := i + strings.Index(text[i:], "measure: restrict")
	cand, err := credit.Parse("candidate.yaml", []byte(text[:j]+"measure: prohibit"+text[j+len("measure: restrict"):]))
	if err != nil {
		t.Fatal(err)
	}
	backends(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		g, err := engine.Project(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		ck := &credit.Checker{Reader: s, File: s, Catalogue: credit.Default()}
		sim, err := ck.Simulate(ctx, credit.SimulateOptions{Current: credit.Default(), Candidate: cand, AsOf: d(2026, 6, 1), Graph: g, Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		if sim.Changes != 8 || sim.Changed != 2 || len(sim.ByScenario) != 4 {
			t.Fatalf("changes %d over %d entities in %d scenarios, want 8 over 2 in 4: %+v", sim.Changes, sim.Changed, len(sim.ByScenario), sim.ByScenario)
		}
		for _, sc := range sim.ByScenario {
			if sc.Changes != 2 || sc.Moves["restricted→prohibited"] != 2 || len(sc.Samples) != 2 {
				t.Errorf("scenario %s: %+v", sc.Scenario, sc)
			}
			for _, c := range sc.Samples {
				if len(c.Added) != 1 || !strings.HasPrefix(c.Added[0], "lists-abnormal-restrict (prohibit): r-") ||
					len(c.Dropped) != 1 || !strings.HasPrefix(c.Dropped[0], "lists-abnormal-restrict (restrict): r-") || c.Reason == "" {
					t.Errorf("sample %+v", c)
				}
			}
		}
		if sim.Evaluated == 0 || sim.Evaluated >= 18 || sim.Errors != 0 {
			t.Errorf("evaluated %d of 18 entities (errors %d): only those with a record around them", sim.Evaluated, sim.Errors)
		}
		same, err := ck.Simulate(ctx, credit.SimulateOptions{Current: credit.Default(), Candidate: credit.Default(), AsOf: d(2026, 6, 1), Graph: g, Workers: 1})
		if err != nil || same.Changes != 0 || same.Checks != sim.Checks {
			t.Errorf("the catalogue against itself: %d changes, %d checks (want 0, %d): %v", same.Changes, same.Checks, sim.Checks, err)
		}
	})
}
