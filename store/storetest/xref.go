package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"riskgraph/models"
	"riskgraph/store"
)

// Keys of the xref cases: X is B's record in another data set, held by P9.
const (
	X  = "src:tax:B-0001"
	P9 = "9a1b2c3d4e5f60718293a4b5c6d7e8f9"
)

func xrefPair(a, b string, score float64, run string) store.XrefPair {
	if a > b {
		a, b = b, a
	}
	return store.XrefPair{ID: store.XrefPairID(a, b), A: a, B: b, Score: score, Run: run,
		Evidence: map[string]float64{"name": score, "phone": 1}, Blocks: []string{"core", "phone"},
		Found: time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)}
}

// loadXref writes the fixture plus X (held 30 % by P9, with a record).
func loadXref(t *testing.T, s store.Store) {
	t.Helper()
	load(t, s)
	err := s.WriteBatch(ctx(), &store.Batch{
		Enterprises:   []models.Enterprise{{Key: X, Name: "深圳前海星河投资有限责任公司", Status: models.StatusActive}},
		Persons:       []models.Person{{PID: P9, Name: "赵敏"}},
		Shareholdings: []models.Shareholding{{Holder: models.PersonRef(P9), Enterprise: X, Ratio: 0.3}},
		Records:       []models.Record{{ID: "r9", Subject: models.EnterpriseRef(X), Kind: models.RecordPenalty, Severity: 0.5, Decided: d(2025, 3, 1)}},
	})
	if err != nil {
		t.Fatal(err)
	}
}

// testXrefPairs: pairs are added once by id (a re-run adds nothing and
// changes nothing), read, listed by status with a cursor, and refused
// when malformed.
func testXrefPairs(t *testing.T, s store.Store) {
	loadXref(t, s)
	ps := []store.XrefPair{xrefPair(B, X, 0.97, "xref-1"), xrefPair(A, G, 0.91, "xref-1"), xrefPair(C, D, 0.95, "xref-1")}
	n, err := s.AddXrefPairs(ctx(), ps)
	if err != nil || n != 3 {
		t.Fatalf("AddXrefPairs: %d, %v; want 3", n, err)
	}
	got, err := s.XrefPair(ctx(), ps[0].ID)
	if err != nil || got.A != B || got.B != X || got.Score != 0.97 || got.Status != store.XrefCandidate || got.Run != "xref-1" ||
		got.Evidence["phone"] != 1 || !slices.Equal(got.Blocks, []string{"core", "phone"}) || !got.Found.Equal(ps[0].Found) ||
		got.DecidedBy != "" || !got.DecidedAt.IsZero() || len(got.History) != 0 {
		t.Fatalf("XrefPair: %+v, %v", got, err)
	}
	// A re-run finding the same pairs (and one new) adds only the new one
	// and leaves the others as they were.
	again := []store.XrefPair{xrefPair(B, X, 0.5, "xref-2"), xrefPair(B, BR, 0.92, "xref-2")}
	if n, err := s.AddXrefPairs(ctx(), again); err != nil || n != 1 {
		t.Fatalf("re-run: added %d, %v; want 1", n, err)
	}
	if got, _ := s.XrefPair(ctx(), ps[0].ID); got.Score != 0.97 || got.Run != "xref-1" {
		t.Errorf("a known pair changed on re-run: %+v", got)
	}
	all, err := s.XrefPairs(ctx(), store.XrefQuery{Limit: 10})
	var ids []string
	for _, p := range all {
		ids = append(ids, p.A+"/"+p.B)
	}
	var want []string
	for _, k := range [][2]string{{B, X}, {C, D}, {B, BR}, {A, G}} {
		x := xrefPair(k[0], k[1], 0, "r")
		want = append(want, x.A+"/"+x.B)
	}
	if err != nil || !slices.Equal(ids, want) {
		t.Fatalf("XrefPairs: %v, %v; want %v (score descending)", ids, err, want)
	}
	// Paging: two, then the rest after the second.
	page, _ := s.XrefPairs(ctx(), store.XrefQuery{Limit: 2})
	rest, _ := s.XrefPairs(ctx(), store.XrefQuery{Limit: 10, AfterScore: page[1].Score, AfterID: page[1].ID})
	if len(page) != 2 || len(rest) != 2 || rest[0].ID != all[2].ID || rest[1].ID != all[3].ID {
		t.Errorf("paging: %d then %d pairs", len(page), len(rest))
	}
	if none, err := s.XrefPairs(ctx(), store.XrefQuery{Status: store.XrefConfirmed, Limit: 10}); err != nil || len(none) != 0 {
		t.Errorf("confirmed before any decision: %v, %v", none, err)
	}
	if _, err := s.XrefPair(ctx(), "xp-nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown pair: %v", err)
	}
	bad := xrefPair(B, X, 0.9, "")
	if _, err := s.AddXrefPairs(ctx(), []store.XrefPair{bad}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("pair without run: %v", err)
	}
	bad = xrefPair(B, X, 0.9, "r")
	bad.A, bad.B = X, B
	if _, err := s.AddXrefPairs(ctx(), []store.XrefPair{bad}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("pair in the wrong order: %v", err)
	}
}

// testXrefDecisions: confirm makes a SAME_AS link (Expand shows it, SameAs
// lists it, the generation advances); an impossible decision is a
// conflict; undo removes the link and keeps the pair with its history; a
// re-run does not reopen a decided pair; xref runs round-trip apart from
// engine runs.
func testXrefDecisions(t *testing.T, s store.Store) {
	loadXref(t, s)
	p := xrefPair(B, X, 0.97, "xref-1")
	if _, err := s.AddXrefPairs(ctx(), []store.XrefPair{p}); err != nil {
		t.Fatal(err)
	}
	gen0, _ := s.Generation(ctx())
	t1 := time.Date(2026, 7, 2, 9, 30, 0, 0, time.UTC)
	got, err := s.DecideXrefPair(ctx(), p.ID, store.XrefDecision{Decision: store.DecideConfirm, By: "key-7", At: t1})
	if err != nil || got.Status != store.XrefConfirmed || got.DecidedBy != "key-7" || !got.DecidedAt.Equal(t1) ||
		len(got.History) != 1 || got.History[0].Status != store.XrefConfirmed || got.History[0].Decision != store.DecideConfirm {
		t.Fatalf("confirm: %+v, %v", got, err)
	}
	if gen1, _ := s.Generation(ctx()); gen1 <= gen0 {
		t.Errorf("generation %d after a decision, was %d", gen1, gen0)
	}
	sameAsEdge := func(types []models.RelType) (store.Edge, bool) {
		t.Helper()
		edges, nodes, err := s.Expand(ctx(), []models.Ref{models.EnterpriseRef(X)}, types)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range edges {
			if e.Type == models.RelSameAs {
				if nodes[models.EnterpriseRef(B)].Label != "深圳市前海星河投资有限公司" {
					t.Errorf("SAME_AS partner node: %+v", nodes[models.EnterpriseRef(B)])
				}
				return e, true
			}
		}
		return store.Edge{}, false
	}
	e, ok := sameAsEdge(nil)
	if !ok || e.From != models.EnterpriseRef(B) || e.To != models.EnterpriseRef(X) || e.Props["pair"] != p.ID ||
		e.Props["decided_by"] != "key-7" || e.Props["at"] != "2026-07-02T09:30:00Z" || e.Props["score"] != 0.97 {
		t.Errorf("SAME_AS edge: %+v (found %v)", e, ok)
	}
	if _, ok := sameAsEdge([]models.RelType{models.RelSameAs}); !ok {
		t.Errorf("Expand over SAME_AS only: no SAME_AS edge")
	}
	if _, ok := sameAsEdge([]models.RelType{models.RelHoldsShares}); ok {
		t.Errorf("Expand over HOLDS_SHARES returned a SAME_AS edge")
	}
	if sa, err := s.SameAs(ctx()); err != nil || len(sa) != 1 || sa[0].ID != p.ID {
		t.Errorf("SameAs: %+v, %v", sa, err)
	}
	if list, _ := s.XrefPairs(ctx(), store.XrefQuery{Status: store.XrefConfirmed, Limit: 5}); len(list) != 1 {
		t.Errorf("confirmed pairs: %d", len(list))
	}
	for _, d := range []string{store.DecideConfirm, store.DecideReject} {
		if _, err := s.DecideXrefPair(ctx(), p.ID, store.XrefDecision{Decision: d, By: "key-7", At: t1}); !errors.Is(err, store.ErrConflict) {
			t.Errorf("%s a confirmed pair: %v, want ErrConflict", d, err)
		}
	}
	if _, err := s.DecideXrefPair(ctx(), "xp-nope", store.XrefDecision{Decision: store.DecideConfirm, At: t1}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown pair: %v", err)
	}
	if _, err := s.DecideXrefPair(ctx(), p.ID, store.XrefDecision{Decision: "merge", At: t1}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("unknown decision: %v", err)
	}
	// A re-run does not reopen it.
	if n, _ := s.AddXrefPairs(ctx(), []store.XrefPair{xrefPair(B, X, 0.99, "xref-2")}); n != 0 {
		t.Errorf("re-run added %d", n)
	}
	if got, _ := s.XrefPair(ctx(), p.ID); got.Status != store.XrefConfirmed {
		t.Errorf("re-run reopened the pair: %+v", got)
	}
	t2 := t1.Add(time.Hour)
	got, err = s.DecideXrefPair(ctx(), p.ID, store.XrefDecision{Decision: store.DecideUndo, By: "key-8", At: t2})
	if err != nil || got.Status != store.XrefUndone || got.DecidedBy != "key-8" || len(got.History) != 2 || got.History[0].By != "key-7" {
		t.Fatalf("undo: %+v, %v", got, err)
	}
	if _, ok := sameAsEdge(nil); ok {
		t.Errorf("SAME_AS edge after undo")
	}
	if sa, _ := s.SameAs(ctx()); len(sa) != 0 {
		t.Errorf("SameAs after undo: %+v", sa)
	}
	if _, err := s.DecideXrefPair(ctx(), p.ID, store.XrefDecision{Decision: store.DecideUndo, At: t2}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("undo an undone pair: %v", err)
	}
	got, err = s.DecideXrefPair(ctx(), p.ID, store.XrefDecision{Decision: store.DecideReject, By: "key-8", At: t2.Add(time.Minute)})
	if err != nil || got.Status != store.XrefRejected || len(got.History) != 3 {
		t.Errorf("reject after undo: %+v, %v", got, err)
	}
	// Both enterprises are still there.
	for _, k := range []string{B, X} {
		if _, err := s.Enterprise(ctx(), k); err != nil {
			t.Errorf("enterprise %s after the decisions: %v", k, err)
		}
	}
	// Xref runs are not engine runs.
	r := store.Run{ID: "xref-1", Started: t1, Finished: t1.Add(time.Minute), Status: store.RunCompleted, Generation: 3,
		Summary: []byte(`{"pairs":1}`)}
	if err := s.SaveXrefRun(ctx(), r); err != nil {
		t.Fatal(err)
	}
	if got, err := s.XrefRun(ctx(), "xref-1"); err != nil || !runEqual(got, r) {
		t.Errorf("XrefRun: %+v, %v", got, err)
	}
	if _, err := s.Run(ctx(), "xref-1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an xref run is in the engine's history: %v", err)
	}
	if _, err := s.XrefRun(ctx(), "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown xref run: %v", err)
	}
}

// testSameAsTraversals: with B and X confirmed as one company, the
// network, paths, ownership tree and control group treat them as one
// entity; after undo they are two again.
func testSameAsTraversals(t *testing.T, s store.Store) {
	loadXref(t, s)
	p := xrefPair(B, X, 0.97, "xref-1")
	if _, err := s.AddXrefPairs(ctx(), []store.XrefPair{p}); err != nil {
		t.Fatal(err)
	}
	decide := func(d string) {
		t.Helper()
		if _, err := s.DecideXrefPair(ctx(), p.ID, store.XrefDecision{Decision: d, By: "k", At: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	keysOf := func(g store.Graph) []string {
		var ks []string
		for _, n := range g.Nodes {
			ks = append(ks, n.Ref.Key)
		}
		slices.Sort(ks)
		return ks
	}
	sorted := func(ks ...string) []string { slices.Sort(ks); return ks }
	hasEdge := func(g store.Graph, typ models.RelType) bool {
		for _, e := range g.Edges {
			if e.Type == typ {
				return true
			}
		}
		return false
	}
	decide(store.DecideConfirm)

	// Network: X's depth-1 neighbourhood is B's and X's, with the SAME_AS edge,
	// whatever the types asked.
	g, err := store.Neighbourhood(ctx(), s, models.EnterpriseRef(X), 1, nil, 100)
	if want := sorted(X, B, BR, C, F, P1, P9, "r9"); err != nil || !slices.Equal(keysOf(g), want) || !hasEdge(g, models.RelSameAs) {
		t.Errorf("network of X: %v (%v), SAME_AS %v; want %v", keysOf(g), err, hasEdge(g, models.RelSameAs), want)
	}
	g, err = store.Neighbourhood(ctx(), s, models.EnterpriseRef(C), 1, []models.RelType{models.RelHoldsShares}, 100)
	if want := sorted(C, B, X, D, P2); err != nil || !slices.Equal(keysOf(g), want) || !hasEdge(g, models.RelSameAs) {
		t.Errorf("holdings around C: %v (%v); want %v (X at B's distance)", keysOf(g), err, want)
	}
	// Paths: P9 → X ═ B → C is two hops.
	paths, err := store.ShortestPaths(ctx(), s, models.PersonRef(P9), models.EnterpriseRef(C), 2, nil, 10)
	if err != nil || len(paths) != 1 || pathKeys(paths[0]) != P9+">"+X+">"+B+">"+C {
		t.Errorf("path P9 to C: %v, %v", describe(paths), err)
	}
	paths, err = store.ShortestPaths(ctx(), s, models.EnterpriseRef(X), models.EnterpriseRef(B), 1, nil, 10)
	if err != nil || len(paths) != 1 || pathKeys(paths[0]) != X+">"+B {
		t.Errorf("path X to B: %v, %v", describe(paths), err)
	}
	// Ownership: X's holders are B's too; B's partner is listed.
	tree, err := store.Ownership(ctx(), s, store.EnterpriseNode(mustEnterprise(t, s, X)), true, 1, 100)
	var holders []string
	for _, c := range tree.Root.Children {
		holders = append(holders, c.Ref.Key)
	}
	slices.Sort(holders)
	if want := sorted(F, P1, P9); err != nil || !slices.Equal(holders, want) || len(tree.Root.SameAs) != 1 || tree.Root.SameAs[0].Key != B {
		t.Errorf("holders of X: %v, same_as %v (%v); want %v", holders, tree.Root.SameAs, err, want)
	}
	// Control group: X is in B's group.
	grp, err := store.ControlGroupOf(ctx(), s, store.EnterpriseNode(mustEnterprise(t, s, C)), store.ControlRule{Threshold: 0.5}, 100)
	var members []string
	for _, m := range grp.Members {
		members = append(members, m.Ref.Key)
	}
	if err != nil || !slices.Contains(members, X) {
		t.Errorf("control group of C: %v, %v; want X in it", members, err)
	}

	decide(store.DecideUndo)
	g, err = store.Neighbourhood(ctx(), s, models.EnterpriseRef(X), 1, nil, 100)
	if want := sorted(X, P9, "r9"); err != nil || !slices.Equal(keysOf(g), want) {
		t.Errorf("network of X after undo: %v; want %v", keysOf(g), want)
	}
	if paths, err := store.ShortestPaths(ctx(), s, models.PersonRef(P9), models.EnterpriseRef(C), 4, nil, 10); err != nil || len(paths) != 0 {
		t.Errorf("path P9 to C after undo: %v, %v", describe(paths), err)
	}
}

func mustEnterprise(t *testing.T, s store.Store, key string) models.Enterprise {
	t.Helper()
	e, err := s.Enterprise(ctx(), key)
	if err != nil {
		t.Fatal(err)
	}
	return e
}
