package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"riskgraph/models"
	"riskgraph/store"
)

// identities names every row of b by its identity, sorted: what the
// change feed must return exactly.
func identities(b *store.Batch) []string {
	var out []string
	for _, e := range b.Enterprises {
		out = append(out, "enterprise "+e.Key)
	}
	for _, p := range b.Persons {
		out = append(out, "person "+p.PID)
	}
	for _, r := range b.Records {
		out = append(out, "record "+r.ID+" of "+r.Subject.String())
	}
	for _, sh := range b.Shareholdings {
		out = append(out, store.ShareholdingEdge(sh).ID())
	}
	for _, r := range b.Roles {
		out = append(out, store.RoleEdge(r).ID())
	}
	for _, br := range b.Branches {
		out = append(out, fmt.Sprintf("branch %s->%s", br.Branch, br.Parent))
	}
	for _, r := range b.Relations {
		c := r.Canonical()
		out = append(out, fmt.Sprintf("relation %s-%s#%s", c.A, c.B, c.Kind))
	}
	slices.Sort(out)
	return out
}

// testChanges: the change feed returns exactly what was written after a
// generation — every row of the batches written since, once, with its
// current values, and nothing older; too many rows are refused with
// ErrTooLarge; the lineage stays the same while the data does.
func testChanges(t *testing.T, s store.Store) {
	lineage, err := s.Lineage(ctx())
	if err != nil || lineage == "" {
		t.Fatalf("lineage %q, %v; want a non-empty id", lineage, err)
	}
	g0, err := s.Generation(ctx())
	if err != nil {
		t.Fatal(err)
	}
	load(t, s)
	g1, _ := s.Generation(ctx())
	all, err := s.Changes(ctx(), g0, 1000)
	if err != nil {
		t.Fatalf("changes since %d: %v", g0, err)
	}
	scanned := scanAll(t, s, 100)
	scanned.Controls, scanned.Licences = nil, nil
	if got, want := identities(all), identities(scanned); !slices.Equal(got, want) {
		t.Errorf("changes since before the fixture:\n got %q\nwant %q (everything a scan gives)", got, want)
	}
	if none, err := s.Changes(ctx(), g1, 1000); err != nil || len(identities(none)) != 0 {
		t.Errorf("changes since the last batch: %q, %v; want none", identities(none), err)
	}

	// A second batch: C changes, N is new with a holding from P1, which
	// already exists, a record and a relation; a placeholder Q is made
	// by a role. Only these rows are written after g1.
	const N, Q = "91440300MA5FUTURE1", "src:test:q"
	next := &store.Batch{
		Enterprises:   []models.Enterprise{{Key: C, USCC: C, Name: "深圳市南山区云帆科技有限公司", Kind: models.EnterpriseCompany, Status: models.StatusRevoked, Region: "440305"}, {Key: N, Name: "新设企业", Status: models.StatusActive}},
		Shareholdings: []models.Shareholding{{Holder: models.PersonRef(P1), Enterprise: N, Ratio: 0.55}},
		Roles:         []models.Role{{Person: P2, Enterprise: Q, Kind: models.RoleOfficer, Title: "manager"}},
		Records:       []models.Record{{ID: "r5", Subject: models.EnterpriseRef(N), Kind: models.RecordPenalty, Severity: 0.2, Decided: d(2025, 1, 2)}},
		Relations:     []models.Relation{{A: P1, B: P2, Kind: models.RelationSpouse}},
	}
	if err := s.WriteBatch(ctx(), next); err != nil {
		t.Fatal(err)
	}
	g2, _ := s.Generation(ctx())
	if g2 <= g1 {
		t.Fatalf("generation %d after a batch, was %d", g2, g1)
	}
	got, err := s.Changes(ctx(), g1, 1000)
	if err != nil {
		t.Fatalf("changes since %d: %v", g1, err)
	}
	want := identities(next)
	want = append(want, "enterprise "+Q) // the role's placeholder, created by this batch
	slices.Sort(want)
	if ids := identities(got); !slices.Equal(ids, want) {
		t.Errorf("changes since %d:\n got %q\nwant %q", g1, ids, want)
	}
	for _, e := range got.Enterprises {
		switch e.Key {
		case C:
			if e.Status != models.StatusRevoked || e.Placeholder {
				t.Errorf("changed C: status %q placeholder %v; want the new status, revoked", e.Status, e.Placeholder)
			}
		case Q:
			if !e.Placeholder {
				t.Errorf("Q is not a placeholder: %+v", e)
			}
		}
	}
	for _, sh := range got.Shareholdings {
		if sh.Ratio != 0.55 {
			t.Errorf("holding %s: ratio %v, want 0.55", store.ShareholdingEdge(sh).ID(), sh.Ratio)
		}
	}
	if _, err := s.Changes(ctx(), g1, len(want)-1); !errors.Is(err, store.ErrTooLarge) {
		t.Errorf("changes of %d rows with limit %d: %v; want ErrTooLarge", len(want), len(want)-1, err)
	}
	if exact, err := s.Changes(ctx(), g1, len(want)); err != nil || len(identities(exact)) != len(want) {
		t.Errorf("changes of %d rows with limit %d: %d rows, %v", len(want), len(want), len(identities(exact)), err)
	}
	if none, err := s.Changes(ctx(), g2, 1000); err != nil || len(identities(none)) != 0 {
		t.Errorf("changes since the last batch: %q, %v; want none", identities(none), err)
	}
	// Writing a row again stamps it again, even with the same values.
	if err := s.WriteBatch(ctx(), &store.Batch{Shareholdings: next.Shareholdings}); err != nil {
		t.Fatal(err)
	}
	g3, _ := s.Generation(ctx())
	again, err := s.Changes(ctx(), g2, 1000)
	if err != nil || !slices.Equal(identities(again), identities(&store.Batch{Shareholdings: next.Shareholdings})) {
		t.Errorf("changes since %d (one holding written again): %q, %v", g2, identities(again), err)
	}
	if none, _ := s.Changes(ctx(), g3, 1000); len(identities(none)) != 0 {
		t.Errorf("changes since %d: %q; want none", g3, identities(none))
	}
	if l, err := s.Lineage(ctx()); err != nil || l != lineage {
		t.Errorf("lineage %q, %v after writes; want %q", l, err, lineage)
	}
}
