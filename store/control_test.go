package store_test

import (
	"context"
	"testing"

	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/memory"
	"riskgraph/store/storetest"
)

func fixtureStore(t *testing.T, extra *store.Batch) *memory.Store {
	t.Helper()
	s, err := memory.Open(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for _, b := range []*store.Batch{storetest.Fixture(), extra} {
		if b != nil {
			if err := s.WriteBatch(context.Background(), b); err != nil {
				t.Fatal(err)
			}
		}
	}
	return s
}

func rootNode(t *testing.T, s store.Reader, key string) store.Node {
	t.Helper()
	e, err := s.Enterprise(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return store.EnterpriseNode(e)
}

// The control rule: more than the threshold, in force on the day, and
// branch links; a holding of exactly the threshold, or one that starts
// later, does not join.
func TestControlRule(t *testing.T) {
	day := models.NewDate(2026, 12, 6)
	rule := store.ControlRule{Threshold: 0.5, Today: day}
	for _, c := range []struct {
		e    store.Edge
		want bool
	}{
		{store.ShareholdingEdge(models.Shareholding{Holder: models.PersonRef("p"), Enterprise: "e", Ratio: 0.51}), true},
		{store.ShareholdingEdge(models.Shareholding{Holder: models.PersonRef("p"), Enterprise: "e", Ratio: 0.5}), false},
		{store.ShareholdingEdge(models.Shareholding{Holder: models.PersonRef("p"), Enterprise: "e", Ratio: 0.9, Since: day}), true},
		{store.ShareholdingEdge(models.Shareholding{Holder: models.PersonRef("p"), Enterprise: "e", Ratio: 0.9, Since: models.NewDate(2026, 12, 7)}), false},
		{store.BranchEdge(models.Branch{Branch: "b", Parent: "e"}), true},
		{store.RoleEdge(models.Role{Person: "p", Enterprise: "e", Kind: models.RoleLegalRep}), false},
	} {
		if got := rule.Joins(c.e); got != c.want {
			t.Errorf("%s: joins %v, want %v", c.e.ID(), got, c.want)
		}
	}
}

func TestControlGroupOf(t *testing.T) {
	ctx := context.Background()
	// A later holding of 90 % from P2 into D, not yet in force, and one of
	// exactly 50 %: neither joins.
	s := fixtureStore(t, &store.Batch{Shareholdings: []models.Shareholding{
		{Holder: models.PersonRef(storetest.P2), Enterprise: storetest.D, Ratio: 0.9, Since: models.NewDate(2030, 1, 1)},
		{Holder: models.EnterpriseRef(storetest.A), Enterprise: storetest.F, Ratio: 0.5},
	}})
	rule := store.ControlRule{Threshold: 0.5, Today: models.NewDate(2026, 12, 6)}
	g, err := store.ControlGroupOf(ctx, s, rootNode(t, s, storetest.D), rule, 100)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range g.Members {
		ids = append(ids, m.ID)
	}
	want := []string{"enterprise:" + storetest.B, "enterprise:" + storetest.C, "enterprise:" + storetest.D, "enterprise:" + storetest.F, "enterprise:" + storetest.BR}
	if len(ids) != len(want) || len(g.Edges) != 4 || g.Truncated {
		t.Fatalf("group of D: %v with %d edges (truncated %v), want %v with 4", ids, len(g.Edges), g.Truncated, want)
	}
	for _, w := range want {
		found := false
		for _, id := range ids {
			found = found || id == w
		}
		if !found {
			t.Errorf("%s missing from %v", w, ids)
		}
	}
	// A lower threshold lets P1's 40 % and A's 50 % in; without a day,
	// P2's later holding counts too.
	g, _ = store.ControlGroupOf(ctx, s, rootNode(t, s, storetest.D), store.ControlRule{Threshold: 0.35, Today: rule.Today}, 100)
	if len(g.Members) != 7 {
		t.Errorf("threshold 0.35: %d members, want 7 (P1 and A join)", len(g.Members))
	}
	g, _ = store.ControlGroupOf(ctx, s, rootNode(t, s, storetest.D), store.ControlRule{Threshold: 0.35}, 100)
	if len(g.Members) != 8 {
		t.Errorf("threshold 0.35 on no day: %d members, want 8 (P2's later holding counts)", len(g.Members))
	}
	g, _ = store.ControlGroupOf(ctx, s, rootNode(t, s, storetest.D), rule, 3)
	if len(g.Members) != 3 || !g.Truncated {
		t.Errorf("limit 3: %d members, truncated %v", len(g.Members), g.Truncated)
	}
}

func TestOwnershipTree(t *testing.T) {
	ctx := context.Background()
	// D ← C ← B ← {F 60 %, P1 40 %}, and a circle: D holds 10 % of B.
	s := fixtureStore(t, &store.Batch{Shareholdings: []models.Shareholding{{Holder: models.EnterpriseRef(storetest.D), Enterprise: storetest.B, Ratio: 0.1}}})
	tr, err := store.Ownership(ctx, s, rootNode(t, s, storetest.D), true, 6, 100)
	if err != nil {
		t.Fatal(err)
	}
	c := tr.Root.Children
	if len(c) != 1 || c[0].Ref.Key != storetest.C || c[0].Ratio != 1 {
		t.Fatalf("D's holders: %+v", c)
	}
	b := c[0].Children
	if len(b) == 0 || b[0].Ref.Key != storetest.B {
		t.Fatalf("C's holders: %+v", b)
	}
	var cycle bool
	for _, h := range b[0].Children {
		if h.Ref.Key == storetest.D {
			cycle = h.Cycle && len(h.Children) == 0
		}
	}
	if !cycle {
		t.Errorf("D holding B is a circle back to the root and must be marked, not expanded: %+v", b[0].Children)
	}
	down, _ := store.Ownership(ctx, s, rootNode(t, s, storetest.F), false, 1, 100)
	if len(down.Root.Children) != 1 || down.Root.Children[0].Ref.Key != storetest.B || down.Nodes != 2 {
		t.Errorf("F's holdings at depth 1: %+v", down.Root.Children)
	}
	small, _ := store.Ownership(ctx, s, rootNode(t, s, storetest.D), true, 6, 3)
	if small.Nodes != 3 || !small.Truncated {
		t.Errorf("limit 3: %d nodes, truncated %v", small.Nodes, small.Truncated)
	}
}
