// Package storetest is the conformance suite every store backend passes.
// A backend's test calls Run with a constructor that returns an empty store.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"riskgraph/models"
	"riskgraph/store"
)

// NewStore returns an empty store; the suite closes it.
type NewStore func(t *testing.T) store.Store

// Run runs the conformance suite against the backend.
func Run(t *testing.T, newStore NewStore) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"RoundTrip", testRoundTrip},
		{"Idempotent", testIdempotent},
		{"Upsert", testUpsert},
		{"UpsertAtHighDegree", testUpsertAtHighDegree}, // upsert.go
		{"InvalidBatchWritesNothing", testInvalidBatch},
		{"Placeholders", testPlaceholders},
		{"NotFound", testNotFound},
		{"Expand", testExpand},
		{"Neighbourhood", testNeighbourhood},
		{"NetworkShapes", testNetworkShapes},         // network.go
		{"NetworkProperties", testNetworkProperties}, // network.go
		{"ShortestPaths", testShortestPaths},
		{"Search", testSearch},
		{"Scan", testScan},
		{"ProjectionScan", testProjectionScan}, // projection.go
		{"Changes", testChanges},               // changes.go
		{"Results", testResults},
		{"Runs", testRuns},
		{"Generation", testGeneration},
		{"RecordSubjectMoves", testRecordMoves},
		{"APIKeys", testAPIKeys},
		{"Audit", testAudit},
		{"AccessSurvivesDataWrites", testAccessWithData},
		{"Reports", testReports}, // reports.go
		{"Snapshots", testSnapshots},
		{"Watchlists", testWatchlists},
		{"Relations", testRelations},     // relations.go
		{"TitleText", testTitleText},     // titles.go
		{"MatchScores", testMatchScores}, // reviews.go
		{"Reviews", testReviews},
		{"XrefPairs", testXrefPairs}, // xref.go
		{"XrefDecisions", testXrefDecisions},
		{"SameAsTraversals", testSameAsTraversals},
		{"Checks", testChecks},               // checks.go
		{"CreditFile", testCreditFile},       // creditfile.go
		{"Licences", testLicences},           // licences.go
		{"CreditReports", testCreditReports}, // licences.go
		{"OwnerFacts", testOwnerFacts},       // owners.go
		{"OwnerCases", testOwnerCases},
		{"Cases", testCases},     // cases.go
		{"Induced", testInduced}, // cases.go
		{"Upward", testUpward},   // upward.go
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			defer s.Close()
			tc.fn(t, s)
		})
	}
}

// Keys of the fixture graph.
const (
	A  = "914403001922038216" // isolated enterprise with full fields
	B  = "914403004JURQ283F0"
	C  = "91440305QEFLCR63FR"
	D  = "911101050WTCDKQQ0L"
	F  = "src:hk:0001" // foreign holder without USCC
	G  = "91310115NE8PR7JY3Y"
	BR = "91330106WA000LH0YG" // branch of B
	P1 = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
	P2 = "1a1b2c3d4e5f60718293a4b5c6d7e8f9"
	P3 = "2a1b2c3d4e5f60718293a4b5c6d7e8f9"
)

func d(y int, m time.Month, day int) models.Date { return models.NewDate(y, m, day) }

// Fixture is a small network with every node and relationship type:
//
//	F ─60%─► B ◄─40%─ P1 (also legal rep of B and C)
//	BR ─branch─► B ─70%─► C ◄─30%, director─ P2
//	C ─100%─► D ◄─ legal rep, supervisor ─ P3
//	records: r1 on C, r2 on D (removed), r3 on P3, r4 on G; A stands alone.
func Fixture() *store.Batch {
	return &store.Batch{
		Enterprises: []models.Enterprise{
			{Key: A, USCC: A, Name: "华为技术有限公司", Kind: models.EnterpriseCompany, Status: models.StatusActive,
				Capital: 4.0411e10, Currency: "CNY", Established: d(1987, 9, 15), Region: "440300", Industry: "C3921",
				Address: "深圳市龙岗区坂田华为基地", Phone: "0755-28780808", Email: "info@example.cn"},
			{Key: B, USCC: B, Name: "深圳市前海星河投资有限公司", Kind: models.EnterpriseCompany, Status: models.StatusActive, Region: "440300", Established: d(2015, 3, 5)},
			{Key: C, USCC: C, Name: "深圳市南山区云帆科技有限公司", Kind: models.EnterpriseCompany, Status: models.StatusActive, Region: "440305"},
			{Key: D, USCC: D, Name: "北京朝阳远景贸易有限公司", Kind: models.EnterpriseCompany, Status: models.StatusRevoked, Region: "110105"},
			{Key: F, Name: "Harbour Holdings Ltd", Kind: models.EnterpriseForeign, Status: models.StatusUnknown},
			{Key: G, USCC: G, Name: "上海浦东星河物流有限公司", Kind: models.EnterpriseCompany, Status: models.StatusActive, Region: "310115"},
			{Key: BR, USCC: BR, Name: "深圳市前海星河投资有限公司杭州分公司", Kind: models.EnterpriseBranch, Status: models.StatusActive, Region: "330106"},
		},
		Persons: []models.Person{{PID: P1, Name: "张伟"}, {PID: P2, Name: "李娜"}, {PID: P3, Name: "王芳"}},
		Shareholdings: []models.Shareholding{
			{Holder: models.EnterpriseRef(F), Enterprise: B, Ratio: 0.6, Amount: 6e6, Since: d(2015, 3, 5)},
			{Holder: models.PersonRef(P1), Enterprise: B, Ratio: 0.4, Amount: 4e6},
			{Holder: models.EnterpriseRef(B), Enterprise: C, Ratio: 0.7},
			{Holder: models.PersonRef(P2), Enterprise: C, Ratio: 0.3},
			{Holder: models.EnterpriseRef(C), Enterprise: D, Ratio: 1},
		},
		Roles: []models.Role{
			{Person: P1, Enterprise: B, Kind: models.RoleLegalRep, Since: d(2015, 3, 5)},
			{Person: P1, Enterprise: C, Kind: models.RoleLegalRep},
			{Person: P2, Enterprise: C, Kind: models.RoleOfficer, Title: "director", Since: d(2018, 1, 1), Until: d(2021, 12, 31)},
			{Person: P3, Enterprise: D, Kind: models.RoleLegalRep},
			{Person: P3, Enterprise: D, Kind: models.RoleOfficer, Title: "supervisor"},
		},
		Branches: []models.Branch{{Branch: BR, Parent: B}},
		Records: []models.Record{
			{ID: "r1", Subject: models.EnterpriseRef(C), Kind: models.RecordPenalty, Severity: 0.4, Authority: "深圳市市场监督管理局",
				Decided: d(2024, 5, 1), Amount: 50000, DocNo: "深市监罚〔2024〕12号", Reason: "虚假宣传"},
			{ID: "r2", Subject: models.EnterpriseRef(D), Kind: models.RecordAbnormal, Severity: 0.3, Decided: d(2023, 1, 10), Removed: d(2023, 6, 1)},
			{ID: "r3", Subject: models.PersonRef(P3), Kind: models.RecordDishonestDebtor, Severity: 0.6, Decided: d(2022, 2, 2)},
			{ID: "r4", Subject: models.EnterpriseRef(G), Kind: models.RecordSeriousViolation, Severity: 0.9, Decided: d(2021, 7, 7)},
		},
	}
}

func load(t *testing.T, s store.Store) {
	t.Helper()
	if err := s.WriteBatch(context.Background(), Fixture()); err != nil {
		t.Fatalf("write fixture: %v", err)
	}
}

func ctx() context.Context { return context.Background() }

func testRoundTrip(t *testing.T, s store.Store) {
	load(t, s)
	want := Fixture()
	for _, e := range want.Enterprises {
		got, err := s.Enterprise(ctx(), e.Key)
		if err != nil {
			t.Fatalf("Enterprise(%s): %v", e.Key, err)
		}
		if !reflect.DeepEqual(got, e) {
			t.Errorf("enterprise %s:\n got  %+v\n want %+v", e.Key, got, e)
		}
	}
	for _, p := range want.Persons {
		got, err := s.Person(ctx(), p.PID)
		if err != nil || !reflect.DeepEqual(got, p) {
			t.Errorf("person %s: got %+v, %v; want %+v", p.PID, got, err, p)
		}
	}
	recs, err := s.Records(ctx(), models.EnterpriseRef(C))
	if err != nil || len(recs) != 1 || !reflect.DeepEqual(recs[0], want.Records[0]) {
		t.Errorf("records of C: got %+v, %v; want %+v", recs, err, want.Records[0])
	}
	recs, _ = s.Records(ctx(), models.PersonRef(P3))
	if len(recs) != 1 || recs[0].ID != "r3" {
		t.Errorf("records of P3: got %+v, want r3", recs)
	}
	// RecordsOf answers several subjects at once exactly as Records does
	// one by one; subjects without records (or unknown) are absent.
	refs := []models.Ref{models.EnterpriseRef(C), models.PersonRef(P3), models.EnterpriseRef(A), models.EnterpriseRef("nope"), models.PersonRef(P3)}
	many, err := s.RecordsOf(ctx(), refs)
	if err != nil {
		t.Fatalf("RecordsOf: %v", err)
	}
	for _, ref := range refs {
		one, _ := s.Records(ctx(), ref)
		if len(one) == 0 {
			if _, ok := many[ref]; ok {
				t.Errorf("RecordsOf lists %s, which has no records: %+v", ref, many[ref])
			}
			continue
		}
		if !reflect.DeepEqual(many[ref], one) {
			t.Errorf("RecordsOf[%s] = %+v, want Records' %+v", ref, many[ref], one)
		}
	}
	if len(many) != 2 {
		t.Errorf("RecordsOf answered %d subjects, want C and P3", len(many))
	}
	all := scanAll(t, s, 1000)
	sortBatch(all)
	sortBatch(want)
	for name, pair := range map[string][2]any{
		"shareholdings": {all.Shareholdings, want.Shareholdings},
		"roles":         {all.Roles, want.Roles},
		"branches":      {all.Branches, want.Branches},
		"records":       {all.Records, want.Records},
	} {
		if !reflect.DeepEqual(pair[0], pair[1]) {
			t.Errorf("scanned %s:\n got  %+v\n want %+v", name, pair[0], pair[1])
		}
	}
}

func testIdempotent(t *testing.T, s store.Store) {
	load(t, s)
	load(t, s)
	all := scanAll(t, s, 1000)
	if got := counts(all); got != [6]int{7, 3, 5, 5, 1, 4} {
		t.Errorf("after writing the fixture twice: counts %v, want [7 3 5 5 1 4]", got)
	}
	edges, _, err := s.Expand(ctx(), []models.Ref{models.EnterpriseRef(B)}, nil)
	if err != nil || len(edges) != 5 {
		t.Errorf("Expand(B) after a repeated write: %d edges (%v), want 5", len(edges), err)
	}
}

func testUpsert(t *testing.T, s store.Store) {
	load(t, s)
	b := &store.Batch{
		Enterprises:   []models.Enterprise{{Key: B, USCC: B, Name: "深圳市前海星河控股有限公司", Status: models.StatusCancelled}},
		Shareholdings: []models.Shareholding{{Holder: models.EnterpriseRef(F), Enterprise: B, Ratio: 0.55}},
	}
	if err := s.WriteBatch(ctx(), b); err != nil {
		t.Fatal(err)
	}
	e, err := s.Enterprise(ctx(), B)
	if err != nil || e.Name != "深圳市前海星河控股有限公司" || e.Status != models.StatusCancelled || e.Region != "" {
		t.Errorf("upsert must replace every field: got %+v, %v", e, err)
	}
	all := scanAll(t, s, 1000)
	for _, sh := range all.Shareholdings {
		if sh.Holder.Key == F && sh.Ratio != 0.55 {
			t.Errorf("shareholding F→B ratio %v after update, want 0.55", sh.Ratio)
		}
	}
	if n := len(all.Shareholdings); n != 5 {
		t.Errorf("updating a shareholding changed the count to %d, want 5", n)
	}
}

func testInvalidBatch(t *testing.T, s store.Store) {
	b := &store.Batch{
		Enterprises:   []models.Enterprise{{Key: A, USCC: A, Name: "x"}},
		Shareholdings: []models.Shareholding{{Holder: models.PersonRef(P1), Enterprise: A, Ratio: 1.5}},
	}
	err := s.WriteBatch(ctx(), b)
	if !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("ratio 1.5: got %v, want ErrInvalid", err)
	}
	if _, err := s.Enterprise(ctx(), A); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a refused batch must write nothing; Enterprise(A) gave %v", err)
	}
	for _, bad := range []*store.Batch{
		{Enterprises: []models.Enterprise{{Key: "", Name: "x"}}},
		{Enterprises: []models.Enterprise{{Key: B, USCC: A}}},
		{Records: []models.Record{{ID: "x", Subject: models.EnterpriseRef(A), Kind: models.RecordPenalty, Severity: 2}}},
		{Roles: []models.Role{{Person: P1, Enterprise: A, Kind: "owner"}}},
	} {
		if err := s.WriteBatch(ctx(), bad); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("batch %+v: got %v, want ErrInvalid", bad, err)
		}
	}
}

func testPlaceholders(t *testing.T, s store.Store) {
	const ghost = "9a1b2c3d4e5f60718293a4b5c6d7e8f9"
	b := &store.Batch{
		Shareholdings: []models.Shareholding{{Holder: models.PersonRef(ghost), Enterprise: A, Ratio: 0.2}},
		Records:       []models.Record{{ID: "rx", Subject: models.EnterpriseRef("src:x:1"), Kind: models.RecordBlacklist, Severity: 1}},
	}
	if err := s.WriteBatch(ctx(), b); err != nil {
		t.Fatal(err)
	}
	p, err := s.Person(ctx(), ghost)
	if err != nil || !p.Placeholder {
		t.Fatalf("missing holder must become a placeholder person: %+v, %v", p, err)
	}
	if e, err := s.Enterprise(ctx(), A); err != nil || !e.Placeholder {
		t.Errorf("missing enterprise must become a placeholder: %+v, %v", e, err)
	}
	if e, err := s.Enterprise(ctx(), "src:x:1"); err != nil || !e.Placeholder {
		t.Errorf("record subject must become a placeholder: %+v, %v", e, err)
	}
	if err := s.WriteBatch(ctx(), &store.Batch{Persons: []models.Person{{PID: ghost, Name: "赵敏"}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteBatch(ctx(), &store.Batch{Persons: []models.Person{{PID: ghost, Placeholder: true}}}); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Person(ctx(), ghost); p.Placeholder || p.Name != "赵敏" {
		t.Errorf("a real row must replace a placeholder, and a placeholder row must not overwrite it: %+v", p)
	}
	edges, _, _ := s.Expand(ctx(), []models.Ref{models.EnterpriseRef(A)}, nil)
	if len(edges) != 1 || edges[0].From != models.PersonRef(ghost) {
		t.Errorf("edges of A: %+v, want the ghost's shareholding", edges)
	}
}

func testNotFound(t *testing.T, s store.Store) {
	load(t, s)
	if _, err := s.Enterprise(ctx(), "91000000MA0000000X"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown enterprise: %v, want ErrNotFound", err)
	}
	if _, err := s.Person(ctx(), "ffff"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown person: %v, want ErrNotFound", err)
	}
	if recs, err := s.Records(ctx(), models.EnterpriseRef(A)); err != nil || len(recs) != 0 {
		t.Errorf("records of a clean enterprise: %v, %v", recs, err)
	}
}

func testExpand(t *testing.T, s store.Store) {
	load(t, s)
	edges, nodes, err := s.Expand(ctx(), []models.Ref{models.EnterpriseRef(C)}, []models.RelType{models.RelHoldsShares})
	if err != nil {
		t.Fatal(err)
	}
	got := edgeIDs(edges)
	want := []string{
		"enterprise:" + B + "-HOLDS_SHARES->enterprise:" + C,
		"enterprise:" + C + "-HOLDS_SHARES->enterprise:" + D,
		"person:" + P2 + "-HOLDS_SHARES->enterprise:" + C,
	}
	if !slices.Equal(got, want) {
		t.Errorf("Expand(C, HOLDS_SHARES):\n got  %v\n want %v", got, want)
	}
	if n := nodes[models.EnterpriseRef(D)]; n.Label != "北京朝阳远景贸易有限公司" || n.ID != "enterprise:"+D {
		t.Errorf("endpoint node D: %+v", n)
	}
	for _, e := range edges {
		if e.From == models.EnterpriseRef(B) && e.Props["ratio"] != 0.7 {
			t.Errorf("edge B→C props %v, want ratio 0.7", e.Props)
		}
	}
	edges, _, _ = s.Expand(ctx(), []models.Ref{models.PersonRef(P2)}, []models.RelType{models.RelOfficerOf})
	if len(edges) != 1 || edges[0].Props["title"] != "director" || edges[0].Props["since"] != "2018-01-01" || edges[0].Props["until"] != "2021-12-31" {
		t.Errorf("officer edge of P2: %+v", edges)
	}
}

func testNeighbourhood(t *testing.T, s store.Store) {
	load(t, s)
	root := models.EnterpriseRef(B)
	cases := []struct {
		name      string
		depth     int
		types     []models.RelType
		limit     int
		nodes     []string
		edges     int
		truncated bool
	}{
		{"depth1", 1, nil, 100, []string{BR, C, B, F, P1}, 5, false},
		{"depth2", 2, nil, 100, []string{BR, D, C, B, F, P1, P2, "r1"}, 10, false},
		{"shares only", 2, []models.RelType{models.RelHoldsShares}, 100, []string{D, C, B, F, P1, P2}, 5, false},
		{"limit", 2, nil, 3, []string{BR, C, B}, 2, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g, err := store.Neighbourhood(ctx(), s, root, tc.depth, tc.types, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, n := range g.Nodes {
				keys = append(keys, n.Ref.Key)
			}
			slices.Sort(keys)
			want := slices.Clone(tc.nodes)
			slices.Sort(want)
			if !slices.Equal(keys, want) || len(g.Edges) != tc.edges || g.Truncated != tc.truncated {
				t.Errorf("got nodes %v, %d edges, truncated %v; want %v, %d, %v", keys, len(g.Edges), g.Truncated, want, tc.edges, tc.truncated)
			}
		})
	}
	if _, err := store.Neighbourhood(ctx(), s, root, 4, nil, 10); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("depth 4: %v, want ErrInvalid", err)
	}
	if _, err := store.Neighbourhood(ctx(), s, models.EnterpriseRef("nope"), 1, nil, 10); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown root: %v, want ErrNotFound", err)
	}
}

func testShortestPaths(t *testing.T, s store.Store) {
	load(t, s)
	paths, err := store.ShortestPaths(ctx(), s, models.EnterpriseRef(F), models.EnterpriseRef(D), 6, nil, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 1 || pathKeys(paths[0]) != F+">"+B+">"+C+">"+D || len(paths[0].Edges) != 3 {
		t.Errorf("F→D: %v, want one path F>B>C>D", describe(paths))
	}
	paths, _ = store.ShortestPaths(ctx(), s, models.PersonRef(P2), models.EnterpriseRef(D), 6, nil, 10)
	if len(paths) != 2 {
		t.Errorf("P2→D: %v, want 2 paths (shareholder and director of C)", describe(paths))
	}
	for _, p := range paths {
		if pathKeys(p) != P2+">"+C+">"+D {
			t.Errorf("P2→D path %s", pathKeys(p))
		}
	}
	if paths, _ := store.ShortestPaths(ctx(), s, models.EnterpriseRef(F), models.EnterpriseRef(D), 2, nil, 10); len(paths) != 0 {
		t.Errorf("F→D within 2 hops: %v, want none", describe(paths))
	}
	if paths, _ := store.ShortestPaths(ctx(), s, models.EnterpriseRef(A), models.EnterpriseRef(B), 6, nil, 10); len(paths) != 0 {
		t.Errorf("A is isolated, yet %v", describe(paths))
	}
	paths, _ = store.ShortestPaths(ctx(), s, models.EnterpriseRef(BR), models.PersonRef(P3), 6, []models.RelType{models.RelBranchOf, models.RelHoldsShares, models.RelLegalRepOf}, 10)
	if len(paths) != 1 || pathKeys(paths[0]) != BR+">"+B+">"+C+">"+D+">"+P3 {
		t.Errorf("BR→P3 without officers: %v", describe(paths))
	}
	if _, err := store.ShortestPaths(ctx(), s, models.EnterpriseRef(F), models.EnterpriseRef("nope"), 3, nil, 10); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown end: %v, want ErrNotFound", err)
	}
}

func testSearch(t *testing.T, s store.Store) {
	load(t, s)
	has := func(hits []store.Hit, key string) bool {
		return slices.ContainsFunc(hits, func(h store.Hit) bool { return h.Ref.Key == key })
	}
	hits, err := s.Search(ctx(), "星河", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 3 || !has(hits, B) || !has(hits, G) || !has(hits, BR) {
		t.Errorf("search 星河: %+v, want B, G, BR", hits)
	}
	if hits, _ := s.Search(ctx(), "星河", 2); len(hits) != 2 {
		t.Errorf("limit 2 gave %d hits", len(hits))
	}
	if hits, _ := s.Search(ctx(), "张伟", 10); len(hits) != 1 || hits[0].Ref != models.PersonRef(P1) {
		t.Errorf("search 张伟: %+v", hits)
	}
	if hits, _ := s.Search(ctx(), A, 10); len(hits) == 0 || hits[0].Ref.Key != A {
		t.Errorf("search by USCC: %+v", hits)
	}
	if hits, _ := s.Search(ctx(), "harbour", 10); len(hits) != 1 || hits[0].Ref.Key != F {
		t.Errorf("search harbour: %+v", hits)
	}
	if hits, err := s.Search(ctx(), `星河" OR *:* AND (`, 10); err != nil || has(hits, A) {
		t.Errorf("query syntax must be taken literally: %+v, %v", hits, err)
	}
	if hits, _ := s.Search(ctx(), "不存在的名字", 10); len(hits) != 0 {
		t.Errorf("search for an absent name: %+v", hits)
	}
}

func testScan(t *testing.T, s store.Store) {
	load(t, s)
	var pages []*store.Batch
	err := s.Scan(ctx(), 4, func(b *store.Batch) error {
		if b.Len() > 4 || b.Len() == 0 {
			t.Errorf("page of %d rows, want 1..4", b.Len())
		}
		c := *b
		pages = append(pages, &c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	total := &store.Batch{}
	relSeen := false
	for _, p := range pages {
		if len(p.Shareholdings)+len(p.Roles)+len(p.Branches) > 0 {
			relSeen = true
		}
		if relSeen && len(p.Enterprises)+len(p.Persons) > 0 {
			t.Error("a node page came after a relationship page")
		}
		total.Append(p)
	}
	if got := counts(total); got != [6]int{7, 3, 5, 5, 1, 4} {
		t.Errorf("scan counts %v, want [7 3 5 5 1 4]", got)
	}
	wrote := false
	err = s.Scan(ctx(), 4, func(*store.Batch) error {
		if wrote {
			return nil
		}
		wrote = true
		// A consumer that writes while scanning (the engine writes results)
		// must not deadlock.
		return s.WriteBatch(ctx(), &store.Batch{Enterprises: []models.Enterprise{{Key: "src:scan:1", Name: "扫描中写入"}}})
	})
	if err != nil {
		t.Fatalf("writing during a scan: %v", err)
	}
	if _, err := s.Enterprise(ctx(), "src:scan:1"); err != nil {
		t.Errorf("the write made during the scan was lost: %v", err)
	}
	stop := errors.New("stop")
	if err := s.Scan(ctx(), 4, func(*store.Batch) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("an error from fn must end the scan and be returned: %v", err)
	}
}

func testResults(t *testing.T, s store.Store) {
	load(t, s)
	details := json.RawMessage(`{"top":[{"record":"r1","share":0.8}]}`)
	res := []models.RiskResult{
		{Ref: models.EnterpriseRef(B), Risk: models.Risk{Score: 0.42, Grade: "C", Run: "run-1", Flags: []string{"mutual_holding"}, Details: details}},
		{Ref: models.PersonRef(P3), Risk: models.Risk{Score: 0.7, Grade: "D", Run: "run-1"}},
		{Ref: models.EnterpriseRef("absent"), Risk: models.Risk{Score: 1, Grade: "D", Run: "run-1"}},
	}
	if err := s.WriteResults(ctx(), res); err != nil {
		t.Fatal(err)
	}
	if e, _ := s.Enterprise(ctx(), B); e.Risk != nil {
		t.Errorf("staged results must stay invisible until the run is promoted: %+v", e.Risk)
	}
	if err := s.PromoteRun(ctx(), "run-1"); err != nil {
		t.Fatal(err)
	}
	e, _ := s.Enterprise(ctx(), B)
	if e.Risk == nil || e.Risk.Score != 0.42 || e.Risk.Grade != "C" || e.Risk.Run != "run-1" ||
		!slices.Equal(e.Risk.Flags, []string{"mutual_holding"}) || e.Risk.Previous != nil {
		t.Errorf("risk of B: %+v, want %+v", e.Risk, res[0].Risk)
	}
	if e.Risk != nil && !jsonEqual(e.Risk.Details, details) {
		t.Errorf("details of B: %s, want %s", e.Risk.Details, details)
	}
	if p, _ := s.Person(ctx(), P3); p.Risk == nil || p.Risk.Grade != "D" || len(p.Risk.Flags) != 0 {
		t.Errorf("risk of P3: %+v", p.Risk)
	}
	if _, err := s.Enterprise(ctx(), "absent"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a result must not create an entity: %v", err)
	}
	if err := s.PromoteRun(ctx(), "run-1"); err != nil {
		t.Fatal(err)
	}
	if e, _ := s.Enterprise(ctx(), B); e.Risk == nil || e.Risk.Previous != nil || e.Risk.Score != 0.42 {
		t.Errorf("promoting a run twice must change nothing: %+v", e.Risk)
	}
	load(t, s)
	if e, _ := s.Enterprise(ctx(), B); e.Risk == nil || e.Risk.Score != 0.42 {
		t.Errorf("re-loading registration data must keep the engine's result: %+v", e.Risk)
	}
	g, _ := store.Neighbourhood(ctx(), s, models.EnterpriseRef(C), 1, []models.RelType{models.RelHoldsShares}, 10)
	for _, n := range g.Nodes {
		if n.Ref.Key == B && (n.Risk == nil || n.Risk.Grade != "C") {
			t.Errorf("network node B carries risk %+v, want grade C", n.Risk)
		}
	}

	// A second run: B moves to D, P3 gets no result; the previous run is kept.
	if err := s.WriteResults(ctx(), []models.RiskResult{{Ref: models.EnterpriseRef(B), Risk: models.Risk{Score: 0.9, Grade: "D", Run: "run-2"}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.PromoteRun(ctx(), "run-2"); err != nil {
		t.Fatal(err)
	}
	e, _ = s.Enterprise(ctx(), B)
	want := &models.PreviousRisk{Score: 0.42, Grade: "C", Run: "run-1"}
	if e.Risk == nil || e.Risk.Grade != "D" || len(e.Risk.Flags) != 0 || len(e.Risk.Details) != 0 || !reflect.DeepEqual(e.Risk.Previous, want) {
		t.Errorf("after run-2, B: %+v (previous %+v), want grade D with previous %+v", e.Risk, e.Risk.Previous, want)
	}
	if p, _ := s.Person(ctx(), P3); p.Risk == nil || p.Risk.Run != "run-1" {
		t.Errorf("P3 had no result in run-2 and must keep run-1's: %+v", p.Risk)
	}

	// A run that fails midway: staged, never promoted. The next run's
	// promotion must not pick up its leftovers.
	if err := s.WriteResults(ctx(), []models.RiskResult{{Ref: models.PersonRef(P3), Risk: models.Risk{Score: 0.1, Grade: "A", Run: "run-3"}}}); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Person(ctx(), P3); p.Risk == nil || p.Risk.Run != "run-1" {
		t.Errorf("a failed run must leave the previous result visible: %+v", p.Risk)
	}
	if err := s.PromoteRun(ctx(), "run-4"); err != nil {
		t.Fatal(err)
	}
	if err := s.PromoteRun(ctx(), "run-3"); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Person(ctx(), P3); p.Risk == nil || p.Risk.Run != "run-1" {
		t.Errorf("promoting another run discards a failed run's staged results: %+v", p.Risk)
	}
	if err := s.WriteResults(ctx(), []models.RiskResult{{Ref: models.PersonRef(P3), Risk: models.Risk{Score: 0.1}}}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("a result without a run id: %v, want ErrInvalid", err)
	}
}

func testRuns(t *testing.T, s store.Store) {
	t0 := time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC)
	runs := []store.Run{
		{ID: "run-a", Started: t0, Finished: t0.Add(time.Minute), Status: store.RunCompleted, Generation: 3,
			Params: json.RawMessage(`{"alpha":0.85}`), Summary: json.RawMessage(`{"entities":10}`)},
		{ID: "run-b", Started: t0.Add(time.Hour), Status: store.RunRunning, Generation: 4},
		{ID: "run-c", Started: t0.Add(2 * time.Hour), Finished: t0.Add(2*time.Hour + time.Second), Status: store.RunFailed, Error: "store unavailable"},
	}
	for _, r := range runs {
		if err := s.SaveRun(ctx(), r); err != nil {
			t.Fatal(err)
		}
	}
	runs[1].Status, runs[1].Finished = store.RunCompleted, t0.Add(61*time.Minute)
	if err := s.SaveRun(ctx(), runs[1]); err != nil {
		t.Fatal(err)
	}
	got, err := s.Run(ctx(), "run-a")
	if err != nil || !runEqual(got, runs[0]) {
		t.Errorf("Run(run-a) = %+v, %v; want %+v", got, err, runs[0])
	}
	if _, err := s.Run(ctx(), "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown run: %v", err)
	}
	list, err := s.Runs(ctx(), 2)
	if err != nil || len(list) != 2 || list[0].ID != "run-c" || !runEqual(list[1], runs[1]) {
		t.Errorf("Runs(2) = %+v, %v; want run-c, then run-b completed", list, err)
	}
	if list, _ := s.Runs(ctx(), 10); len(list) != 3 {
		t.Errorf("Runs(10) gave %d runs, want 3", len(list))
	}
}

func testGeneration(t *testing.T, s store.Store) {
	g0, err := s.Generation(ctx())
	if err != nil {
		t.Fatal(err)
	}
	load(t, s)
	g1, _ := s.Generation(ctx())
	if g1 <= g0 {
		t.Errorf("generation %d after a batch, was %d", g1, g0)
	}
	if err := s.WriteBatch(ctx(), &store.Batch{Enterprises: []models.Enterprise{{Key: "", Name: "x"}}}); err == nil {
		t.Fatal("invalid batch accepted")
	}
	if err := s.WriteResults(ctx(), []models.RiskResult{{Ref: models.EnterpriseRef(B), Risk: models.Risk{Score: 0.1, Grade: "A", Run: "r"}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.PromoteRun(ctx(), "r"); err != nil {
		t.Fatal(err)
	}
	if g2, _ := s.Generation(ctx()); g2 != g1 {
		t.Errorf("refused batches and results must not advance the generation: %d → %d", g1, g2)
	}
	load(t, s)
	if g3, _ := s.Generation(ctx()); g3 <= g1 {
		t.Errorf("a second accepted batch must advance the generation: %d → %d", g1, g3)
	}
}

func testRecordMoves(t *testing.T, s store.Store) {
	load(t, s)
	r := Fixture().Records[0]
	r.Subject = models.EnterpriseRef(G)
	if err := s.WriteBatch(ctx(), &store.Batch{Records: []models.Record{r}}); err != nil {
		t.Fatal(err)
	}
	if recs, _ := s.Records(ctx(), models.EnterpriseRef(C)); len(recs) != 0 {
		t.Errorf("C still has %+v after r1 moved to G", recs)
	}
	recs, _ := s.Records(ctx(), models.EnterpriseRef(G))
	if len(recs) != 2 || recs[0].ID != "r1" || recs[1].ID != "r4" {
		t.Errorf("records of G newest first: %+v, want r1, r4", recs)
	}
}
