package storetest

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"riskgraph/models"
	"riskgraph/store"
)

// upwardTypes are the types Upward reads.
var upwardTypes = []models.RelType{models.RelHoldsShares, models.RelControls, models.RelOfficerOf,
	models.RelLegalRepOf, models.RelSameAs, models.RelBranchOf}

// leadsUp reports whether e, one of Expand(n)'s edges, leads up from n:
// what Upward must return for n.
func leadsUp(e store.Edge, n models.Ref) bool {
	switch e.Type {
	case models.RelHoldsShares, models.RelControls, models.RelOfficerOf, models.RelLegalRepOf:
		return e.To == n
	case models.RelSameAs:
		return true
	case models.RelBranchOf:
		return e.From == n
	}
	return false
}

func sortedByID(es []store.Edge) []store.Edge {
	es = slices.Clone(es)
	slices.SortFunc(es, func(a, b store.Edge) int { return strings.Compare(a.ID(), b.ID()) })
	return es
}

// testUpward: Upward returns, for a set of enterprises, exactly the
// holdings, controls, offices and legal representatives ending at them,
// their SAME_AS links and their BRANCH_OF to the head office — never a
// subsidiary, a branch or a record — with the props and nodes Expand
// gives; and for every enterprise of the fixture it is Expand filtered.
func testUpward(t *testing.T, s store.Store) {
	load(t, s)
	err := s.WriteBatch(ctx(), &store.Batch{
		Roles:    []models.Role{{Person: P2, Enterprise: B, Kind: models.RoleOfficer, Title: "manager", DayToDay: true}},
		Controls: []models.Control{{Controller: models.PersonRef(P3), Enterprise: B, Basis: models.ControlAgreement, Note: "VIE"}},
		Records:  []models.Record{{ID: "rb", Subject: models.EnterpriseRef(B), Kind: models.RecordPenalty, Severity: 0.2, Decided: d(2025, 1, 1)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	pair := xrefPair(G, B, 0.97, "up")
	if _, err := s.AddXrefPairs(ctx(), []store.XrefPair{pair}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DecideXrefPair(ctx(), pair.ID, store.XrefDecision{Decision: store.DecideConfirm, By: "k", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	e, p := func(k string) string { return "enterprise:" + k }, func(k string) string { return "person:" + k }
	for _, tc := range []struct {
		name string
		keys []string
		want []string
	}{
		{"a holding company: its holders, controller, offices, SAME_AS; not its subsidiary, branch or record", []string{B}, []string{
			e(F) + "-HOLDS_SHARES->" + e(B), p(P1) + "-HOLDS_SHARES->" + e(B), p(P1) + "-LEGAL_REP_OF->" + e(B),
			p(P2) + "-OFFICER_OF->" + e(B) + "#manager", p(P3) + "-CONTROLS->" + e(B) + "#agreement", e(G) + "-SAME_AS->" + e(B)}},
		{"a branch: its head office", []string{BR}, []string{e(BR) + "-BRANCH_OF->" + e(B)}},
		{"two levels at once: a holding between them once", []string{C, D}, []string{
			e(B) + "-HOLDS_SHARES->" + e(C), p(P2) + "-HOLDS_SHARES->" + e(C), p(P1) + "-LEGAL_REP_OF->" + e(C),
			p(P2) + "-OFFICER_OF->" + e(C) + "#director", e(C) + "-HOLDS_SHARES->" + e(D), p(P3) + "-LEGAL_REP_OF->" + e(D),
			p(P3) + "-OFFICER_OF->" + e(D) + "#supervisor"}},
		{"a holder with no holder", []string{F}, nil},
		{"an unknown key", []string{"src:none:1"}, nil},
		{"none", nil, nil},
	} {
		edges, nodes, err := s.Upward(ctx(), tc.keys)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got := edgeIDs(edges)
		slices.Sort(got)
		want := slices.Clone(tc.want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("Upward(%s) %v:\n got  %v\n want %v", tc.name, tc.keys, got, want)
		}
		for _, ed := range edges {
			for _, end := range []models.Ref{ed.From, ed.To} {
				if _, ok := nodes[end]; !ok {
					t.Errorf("Upward(%v): no node for %s of %s", tc.keys, end, ed.ID())
				}
			}
		}
	}
	_, nodes, _ := s.Upward(ctx(), []string{B})
	if n := nodes[models.EnterpriseRef(F)]; n.Label != "Harbour Holdings Ltd" {
		t.Errorf("Upward(B) node of F: %+v, want its name as label", n)
	}
	if n := nodes[models.PersonRef(P1)]; n.Label != "张伟" {
		t.Errorf("Upward(B) node of P1: %+v, want its name as label", n)
	}

	// Upward is Expand without what leads down: the same edges with the
	// same props and the same nodes, for every enterprise, and for all
	// of them in one call.
	var all []string
	var wantAll []store.Edge
	for _, ent := range Fixture().Enterprises {
		n := models.EnterpriseRef(ent.Key)
		ex, exNodes, err := s.Expand(ctx(), []models.Ref{n}, upwardTypes)
		if err != nil {
			t.Fatal(err)
		}
		var want []store.Edge
		for _, ed := range ex {
			if leadsUp(ed, n) {
				want = append(want, ed)
			}
		}
		got, gotNodes, err := s.Upward(ctx(), []string{ent.Key})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(sortedByID(got), sortedByID(want)) {
			t.Errorf("Upward(%s):\n got  %+v\n want %+v (Expand filtered)", ent.Key, sortedByID(got), sortedByID(want))
		}
		for ref, node := range gotNodes {
			if !reflect.DeepEqual(node, exNodes[ref]) {
				t.Errorf("Upward(%s) node %s:\n got  %+v\n want %+v (as Expand)", ent.Key, ref, node, exNodes[ref])
			}
		}
		all = append(all, ent.Key)
		wantAll = append(wantAll, want...)
	}
	got, _, err := s.Upward(ctx(), all)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := edgeIDs(sortedByID(got)), edgeIDs(sortedByID(wantAll)); !slices.Equal(g, w) {
		t.Errorf("Upward(every enterprise):\n got  %v\n want %v", g, w)
	}
}
