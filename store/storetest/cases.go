package storetest

import (
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"riskgraph/models"
	"riskgraph/store"
)

// SampleCase is a valid case over the fixture: B (the root, pinned), P1,
// C, D and D's record r2 (hidden), one group holding C's two neighbours.
func SampleCase(id, by string, at time.Time) store.Case {
	view := &store.CaseView{Mode: "network", Root: "enterprise:" + B, Depth: 2, Limit: 500, Types: []string{"HOLDS_SHARES", "LEGAL_REP_OF"},
		ExpandBy: "down", Group: true, HiddenGrades: []string{"A"}, HiddenKinds: []string{"record"}, AsOf: "2024-06-30",
		Selected: "person:" + P1, Zoom: 1.25, Pan: store.CasePoint{X: -12.5, Y: 40},
		Nodes: []store.CaseNode{
			{ID: "enterprise:" + B, X: 0, Y: 0, Pinned: true},
			{ID: "person:" + P1, X: -90.5, Y: 60},
			{ID: "enterprise:" + C, X: 120, Y: 10.25, Owner: true},
			{ID: "enterprise:" + D, X: 240, Y: 30, Group: "group:enterprise:" + C + "|enterprise||HOLDS_SHARES|out"},
			{ID: "record:r2", X: 300, Y: 90, Hidden: true, Group: "group:enterprise:" + C + "|enterprise||HOLDS_SHARES|out"},
		},
		Edges: []store.CaseEdge{
			{From: "person:" + P1, To: "enterprise:" + B, Type: "HOLDS_SHARES"},
			{From: "enterprise:" + B, To: "enterprise:" + C, Type: "HOLDS_SHARES"},
			{From: "enterprise:" + C, To: "enterprise:" + D, Type: "HOLDS_SHARES"},
		},
		Groups: []store.CaseGroup{{ID: "group:enterprise:" + C + "|enterprise||HOLDS_SHARES|out", X: 260, Y: 50}},
	}
	return store.Case{ID: id, Title: "星河投资关联调查", Notes: "第一行\n第二行：P1 与 B 的持股", Entities: []string{"enterprise:" + B, "person:" + P1, "enterprise:" + C, "enterprise:" + D},
		View: view, CreatedBy: by, UpdatedBy: by, Created: at, Updated: at, Version: 1}
}

// testCases: a case round-trips with its view; updates are optimistic
// (version must match, exactly one of concurrent updates of one version
// wins, created is kept); the listing pages newest update first, without
// views, leaving archived cases out unless asked; bad cases are refused
// naming the field and never repeating an identity number.
func testCases(t *testing.T, s store.Store) {
	t0 := time.Date(2026, 11, 3, 8, 0, 0, 0, time.UTC)
	c := SampleCase("case-1", "key-1", t0)
	if err := s.CreateCase(ctx(), c); err != nil {
		t.Fatal(err)
	}
	got, err := s.Case(ctx(), "case-1")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.View, c.View) {
		t.Errorf("view round trip:\n got %+v\nwant %+v", got.View, c.View)
	}
	if got.Title != c.Title || got.Notes != c.Notes || !reflect.DeepEqual(got.Entities, c.Entities) || got.Version != 1 ||
		!got.Created.Equal(t0) || !got.Updated.Equal(t0) || got.CreatedBy != "key-1" || got.Archived != nil || got.Nodes != 5 {
		t.Errorf("case round trip: %+v", got)
	}
	if err := s.CreateCase(ctx(), c); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("creating an id twice: %v, want ErrInvalid", err)
	}
	if _, err := s.Case(ctx(), "case-none"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown case: %v, want ErrNotFound", err)
	}

	// Invalid cases name the field; an identity number is never repeated.
	bad := SampleCase("case-bad", "key-1", t0)
	bad.Entities = append(bad.Entities, "person:110101199003077777")
	err = s.CreateCase(ctx(), bad)
	var p *store.CaseProblem
	if !errors.Is(err, store.ErrInvalid) || !errors.As(err, &p) || p.Field != "entities[4]" || strings.Contains(err.Error(), "110101199003077777") {
		t.Errorf("an identity number as a person: %v", err)
	}
	bad = SampleCase("case-bad", "key-1", t0)
	bad.View.Edges = append(bad.View.Edges, store.CaseEdge{From: "enterprise:" + B, To: "enterprise:" + G, Type: "HOLDS_SHARES"})
	if err := s.CreateCase(ctx(), bad); !errors.As(err, &p) || p.Field != "view.edges[3]" {
		t.Errorf("an edge to a node not in the view: %v", err)
	}
	bad = SampleCase("case-bad", "key-1", t0)
	bad.Title = "  "
	if err := s.CreateCase(ctx(), bad); !errors.As(err, &p) || p.Field != "title" {
		t.Errorf("an empty title: %v", err)
	}
	if _, err := s.Case(ctx(), "case-bad"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a refused case was stored: %v", err)
	}

	// An update replaces the case at the next version and keeps who created it when.
	t1 := t0.Add(time.Hour)
	up := got
	up.Title, up.Notes, up.UpdatedBy, up.Updated = "星河投资关联调查（续）", "补充", "key-2", t1
	up.CreatedBy, up.Created = "someone-else", t1
	up.View.Nodes = up.View.Nodes[:3]
	up.View.Edges = up.View.Edges[:2]
	up.View.Groups = nil
	stored, err := s.UpdateCase(ctx(), up)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Version != 2 || stored.CreatedBy != "key-1" || !stored.Created.Equal(t0) || stored.UpdatedBy != "key-2" || !stored.Updated.Equal(t1) || stored.Nodes != 3 {
		t.Errorf("updated: %+v", stored)
	}
	again, _ := s.Case(ctx(), "case-1")
	if again.Version != 2 || again.Title != up.Title || len(again.View.Nodes) != 3 || again.CreatedBy != "key-1" {
		t.Errorf("read after update: %+v", again)
	}
	// The same version again is stale.
	if _, err := s.UpdateCase(ctx(), up); !errors.Is(err, store.ErrStale) || !errors.Is(err, store.ErrConflict) {
		t.Errorf("a stale update: %v, want ErrStale", err)
	}
	up.ID = "case-none"
	if _, err := s.UpdateCase(ctx(), up); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("updating an unknown case: %v, want ErrNotFound", err)
	}
	// Concurrent updates of one version: exactly one wins.
	var wg sync.WaitGroup
	results := make([]error, 6)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x := again
			x.Notes = "writer " + string(rune('A'+i))
			x.Updated = t1.Add(time.Minute)
			_, results[i] = s.UpdateCase(ctx(), x)
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range results {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, store.ErrStale):
			t.Errorf("a concurrent update: %v, want nil or ErrStale", err)
		}
	}
	if won != 1 {
		t.Errorf("%d of %d concurrent updates of one version won, want 1", won, len(results))
	}
	if now, _ := s.Case(ctx(), "case-1"); now.Version != 3 {
		t.Errorf("after the concurrent updates: version %d, want 3", now.Version)
	}

	// Listing: newest update first, paged, views left out; archived cases on request.
	for i, id := range []string{"case-2", "case-3", "case-4"} {
		by := "key-1"
		if id == "case-3" {
			by = "key-2"
		}
		if err := s.CreateCase(ctx(), SampleCase(id, by, t0.Add(time.Duration(i+2)*time.Hour))); err != nil {
			t.Fatal(err)
		}
	}
	// case-1 updated at t1+1m; case-2..4 at t0+2h..4h: order 4, 3, 2, 1.
	list, total, err := s.Cases(ctx(), store.CaseQuery{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if total != 4 || caseIDs(list) != "case-4 case-3" {
		t.Errorf("first page: %d %s", total, caseIDs(list))
	}
	for _, x := range list {
		if x.View != nil || x.Nodes != 5 || x.Title == "" || len(x.Entities) != 4 {
			t.Errorf("listed case: view %v nodes %d title %q entities %v", x.View != nil, x.Nodes, x.Title, x.Entities)
		}
	}
	if list, total, _ = s.Cases(ctx(), store.CaseQuery{Offset: 2, Limit: 2}); total != 4 || caseIDs(list) != "case-2 case-1" {
		t.Errorf("second page: %d %s", total, caseIDs(list))
	}
	if list, total, _ = s.Cases(ctx(), store.CaseQuery{CreatedBy: "key-2"}); total != 1 || caseIDs(list) != "case-3" {
		t.Errorf("cases of key-2: %d %s", total, caseIDs(list))
	}
	// Archiving is an update.
	c3, _ := s.Case(ctx(), "case-3")
	at := t0.Add(5 * time.Hour)
	c3.Archived, c3.Updated = &at, at
	if c3, err = s.UpdateCase(ctx(), c3); err != nil || c3.Archived == nil || !c3.Archived.Equal(at) {
		t.Fatalf("archive: %+v %v", c3, err)
	}
	if list, total, _ = s.Cases(ctx(), store.CaseQuery{}); total != 3 || caseIDs(list) != "case-4 case-2 case-1" {
		t.Errorf("without archived: %d %s", total, caseIDs(list))
	}
	if list, total, _ = s.Cases(ctx(), store.CaseQuery{Archived: true}); total != 4 || caseIDs(list) != "case-3 case-4 case-2 case-1" {
		t.Errorf("with archived: %d %s", total, caseIDs(list))
	}
	if list[0].Archived == nil || !list[0].Archived.Equal(at) {
		t.Errorf("listed archived case: %+v", list[0])
	}
}

// testInduced: the subgraph of a case's nodes holds exactly the
// relationships between them, the nodes as they stand, and names the
// nodes that do not exist.
func testInduced(t *testing.T, s store.Store) {
	if err := s.WriteBatch(ctx(), Fixture()); err != nil {
		t.Fatal(err)
	}
	refs := []models.Ref{models.EnterpriseRef(B), models.PersonRef(P1), models.EnterpriseRef(C), models.RecordRef("r1"),
		models.EnterpriseRef(A), models.EnterpriseRef("src:none:1"), models.RecordRef("none"), models.EnterpriseRef(B)}
	g, missing, err := store.Induced(ctx(), s, refs)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, n := range g.Nodes {
		ids = append(ids, n.ID)
	}
	if want := "enterprise:" + B + " person:" + P1 + " enterprise:" + C + " record:r1 enterprise:" + A; strings.Join(ids, " ") != want {
		t.Errorf("nodes %v, want %s", ids, want)
	}
	if len(missing) != 2 || missing[0] != models.EnterpriseRef("src:none:1") || missing[1] != models.RecordRef("none") {
		t.Errorf("missing %v", missing)
	}
	// B–C holding, P1–B holding and legal rep, P1–C legal rep, C–r1 record.
	got := strings.Join(edgeIDs(g.Edges), " ")
	for _, want := range []string{"enterprise:" + B + "-HOLDS_SHARES->enterprise:" + C, "person:" + P1 + "-HOLDS_SHARES->enterprise:" + B,
		"person:" + P1 + "-LEGAL_REP_OF->enterprise:" + B, "person:" + P1 + "-LEGAL_REP_OF->enterprise:" + C, "enterprise:" + C + "-HAS_RECORD->record:r1"} {
		if !strings.Contains(got, want) {
			t.Errorf("edges lack %s: %s", want, got)
		}
	}
	if len(g.Edges) != 5 {
		t.Errorf("%d edges, want 5 (none to a node outside): %s", len(g.Edges), got)
	}
}

func caseIDs(cs []store.Case) string {
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return strings.Join(ids, " ")
}
