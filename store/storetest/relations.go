package storetest

import (
	"errors"
	"reflect"
	"slices"
	"testing"

	"riskgraph/models"
	"riskgraph/store"
)

// sortRelations orders relations by their canonical identity.
func sortRelations(rs []models.Relation) {
	slices.SortFunc(rs, func(a, b models.Relation) int {
		return cmpStrings(a.A+"\x00"+a.B+"\x00"+string(a.Kind), b.A+"\x00"+b.B+"\x00"+string(b.Kind))
	})
}

func cmpStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// testRelations: person-to-person relations are written in canonical form
// (A < B), upserted by (A, B, kind) whichever way round they are given,
// read back through Expand, followed by paths and scanned.
func testRelations(t *testing.T, s store.Store) {
	load(t, s)
	const P4 = "3a1b2c3d4e5f60718293a4b5c6d7e8f9" // known only from a relation
	write := func(rs ...models.Relation) {
		t.Helper()
		if err := s.WriteBatch(ctx(), &store.Batch{Relations: rs}); err != nil {
			t.Fatalf("write relations %+v: %v", rs, err)
		}
	}
	// Given the wrong way round: stored as P1 → P2.
	write(models.Relation{A: P2, B: P1, Kind: models.RelationSpouse, Since: d(2010, 5, 1)},
		models.Relation{A: P1, B: P3, Kind: models.RelationRelative})
	// Again, the other way round, with a new date: the same relation.
	write(models.Relation{A: P1, B: P2, Kind: models.RelationSpouse, Since: d(2011, 6, 2)})
	// Another kind between the same two persons is another relation; P4 becomes a placeholder.
	write(models.Relation{A: P2, B: P1, Kind: models.RelationOther},
		models.Relation{A: P4, B: P3, Kind: models.RelationOther})

	edges, nodes, err := s.Expand(ctx(), []models.Ref{models.PersonRef(P1)}, []models.RelType{models.RelRelatedTo})
	if err != nil {
		t.Fatal(err)
	}
	gotIDs := edgeIDs(edges)
	wantIDs := []string{
		"person:" + P1 + "-RELATED_TO->person:" + P2 + "#other",
		"person:" + P1 + "-RELATED_TO->person:" + P2 + "#spouse",
		"person:" + P1 + "-RELATED_TO->person:" + P3 + "#relative",
	}
	if !reflect.DeepEqual(gotIDs, wantIDs) {
		t.Fatalf("Expand(P1, RELATED_TO):\n got  %v\n want %v", gotIDs, wantIDs)
	}
	for _, e := range edges {
		if e.Props["kind"] == "spouse" && e.Props["since"] != "2011-06-02" {
			t.Errorf("spouse relation since %v after the upsert, want 2011-06-02", e.Props["since"])
		}
	}
	if n, ok := nodes[models.PersonRef(P2)]; !ok || n.Ref != models.PersonRef(P2) {
		t.Errorf("Expand(P1) nodes lack P2: %v", nodes)
	}
	// Only RELATED_TO was asked for: P1's legal representations are not there.
	if all, _, _ := s.Expand(ctx(), []models.Ref{models.PersonRef(P1)}, nil); len(all) != len(edges)+3 {
		t.Errorf("Expand(P1, all types): %d edges, want %d (2 legal reps, 1 holding and the relations)", len(all), len(edges)+3)
	}
	p4, err := s.Person(ctx(), P4)
	if err != nil || !p4.Placeholder {
		t.Errorf("person named only by a relation: got %+v, %v; want a placeholder", p4, err)
	}

	// A path from P2 to P3's enterprise D through the family.
	paths, err := store.ShortestPaths(ctx(), s, models.PersonRef(P2), models.PersonRef(P3), 3, []models.RelType{models.RelRelatedTo}, 10)
	if err != nil || len(paths) == 0 || pathKeys(paths[0]) != P2+">"+P1+">"+P3 {
		t.Errorf("ShortestPaths(P2, P3, RELATED_TO): %s, %v; want %s>%s>%s", describe(paths), err, P2, P1, P3)
	}

	want := []models.Relation{
		{A: P1, B: P2, Kind: models.RelationSpouse, Since: d(2011, 6, 2)},
		{A: P1, B: P3, Kind: models.RelationRelative},
		{A: P1, B: P2, Kind: models.RelationOther},
		{A: P3, B: P4, Kind: models.RelationOther},
	}
	sortRelations(want)
	for _, page := range []int{1, 3, 1000} {
		got := scanAll(t, s, page).Relations
		sortRelations(got)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("scan (pages of %d) relations:\n got  %+v\n want %+v", page, got, want)
		}
	}

	// The projection scan gives the same relations, their ends numbered
	// consistently with the persons' numbers (scanProjection checks that).
	for _, page := range []int{2, 1000} {
		got := scanProjection(t, s, page).rows.Relations
		for i := range got {
			got[i].Since = models.Date{} // not a field the projection must fill
		}
		sortRelations(got)
		var wantKinds []models.Relation
		for _, r := range want {
			r.Since = models.Date{}
			wantKinds = append(wantKinds, r)
		}
		if !reflect.DeepEqual(got, wantKinds) {
			t.Errorf("projection scan (pages of %d) relations:\n got  %+v\n want %+v", page, got, wantKinds)
		}
	}

	for _, bad := range []models.Relation{
		{A: P1, B: P1, Kind: models.RelationSpouse},
		{A: P1, B: P2, Kind: "friend"},
		{A: "", B: P2, Kind: models.RelationRelative},
	} {
		err := s.WriteBatch(ctx(), &store.Batch{Relations: []models.Relation{bad}})
		if !errors.Is(err, store.ErrInvalid) {
			t.Errorf("write %+v: %v, want ErrInvalid", bad, err)
		}
	}
	if got := scanAll(t, s, 1000).Relations; len(got) != len(want) {
		t.Errorf("after refused writes: %d relations, want %d", len(got), len(want))
	}
}
