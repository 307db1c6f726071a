package storetest

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"riskgraph/models"
	"riskgraph/store"
)

// Keys of the network fixture (netFixture). Ring distances from NR:
//
//	0: NR ═ NR2 (SAME_AS)
//	1: NA1, NA2 (NR holds them), NA3 (holds NR), NB1 (NR2 holds it),
//	   NQ (legal rep of NR), record rn-r (on NR), NA2X (═ NA2)
//	2: NC1 (NA1 holds it) ═ NC1X ═ NC1Y (a SAME_AS chain), NC2 (NA2X
//	   holds it), NC3 (NQ is its director), NQ2 (holds NA1), record rn-q
//	   (on the person NQ)
//	3: ND1 (NC1X holds it), record rn-c1 (on NC1)
const (
	NR   = "src:net:r"
	NR2  = "src:net:r2"
	NA1  = "src:net:a1"
	NA2  = "src:net:a2"
	NA2X = "src:net:a2x"
	NA3  = "src:net:a3"
	NB1  = "src:net:b1"
	NC1  = "src:net:c1"
	NC1X = "src:net:c1x"
	NC1Y = "src:net:c1y"
	NC2  = "src:net:c2"
	NC3  = "src:net:c3"
	ND1  = "src:net:d1"
	NQ   = "3a1b2c3d4e5f60718293a4b5c6d7e8f9"
	NQ2  = "4a1b2c3d4e5f60718293a4b5c6d7e8f9"
)

// LoadNetwork writes the network fixture (the keys N…) and confirms its
// SAME_AS pairs, for a backend's own tests of how it reads a network.
func LoadNetwork(t *testing.T, s store.Store) { loadNetwork(t, s) }

// loadNetwork writes the network fixture and confirms its SAME_AS pairs.
func loadNetwork(t *testing.T, s store.Store) {
	t.Helper()
	var ents []models.Enterprise
	for _, k := range []string{NR, NR2, NA1, NA2, NA2X, NA3, NB1, NC1, NC1X, NC1Y, NC2, NC3, ND1} {
		ents = append(ents, models.Enterprise{Key: k, Name: "企业 " + strings.TrimPrefix(k, "src:net:"), Status: models.StatusActive})
	}
	hold := func(holder models.Ref, e string) models.Shareholding {
		return models.Shareholding{Holder: holder, Enterprise: e, Ratio: 0.5}
	}
	rec := func(id string, subject models.Ref) models.Record {
		return models.Record{ID: id, Subject: subject, Kind: models.RecordPenalty, Severity: 0.4, Decided: d(2025, 1, 2)}
	}
	b := &store.Batch{
		Enterprises: ents,
		Persons:     []models.Person{{PID: NQ, Name: "钱七"}, {PID: NQ2, Name: "孙八"}},
		Shareholdings: []models.Shareholding{
			hold(models.EnterpriseRef(NR), NA1), hold(models.EnterpriseRef(NR), NA2), hold(models.EnterpriseRef(NA3), NR),
			hold(models.EnterpriseRef(NR2), NB1), hold(models.EnterpriseRef(NA1), NC1), hold(models.PersonRef(NQ2), NA1),
			hold(models.EnterpriseRef(NA2X), NC2), hold(models.EnterpriseRef(NC1X), ND1),
		},
		Roles: []models.Role{
			{Person: NQ, Enterprise: NR, Kind: models.RoleLegalRep},
			{Person: NQ, Enterprise: NC3, Kind: models.RoleOfficer, Title: "director"},
		},
		Records: []models.Record{rec("rn-r", models.EnterpriseRef(NR)), rec("rn-q", models.PersonRef(NQ)), rec("rn-c1", models.EnterpriseRef(NC1))},
	}
	if err := s.WriteBatch(ctx(), b); err != nil {
		t.Fatalf("write network fixture: %v", err)
	}
	pairs := []store.XrefPair{xrefPair(NR, NR2, 0.99, "xref-net"), xrefPair(NA2, NA2X, 0.98, "xref-net"),
		xrefPair(NC1, NC1X, 0.97, "xref-net"), xrefPair(NC1X, NC1Y, 0.96, "xref-net")}
	if _, err := s.AddXrefPairs(ctx(), pairs); err != nil {
		t.Fatal(err)
	}
	for _, p := range pairs {
		if _, err := s.DecideXrefPair(ctx(), p.ID, store.XrefDecision{Decision: store.DecideConfirm, By: "k", At: p.Found}); err != nil {
			t.Fatal(err)
		}
	}
}

// testNetworkShapes holds Reader.Neighbourhood (through store.Neighbourhood)
// to exact answers where the rings, the SAME_AS closure on each ring, the
// records of persons and the limit's cut in (kind, key) order meet, and to
// the walk over Expand (store.WalkNeighbourhood) for many roots, depths,
// types and limits: a backend that reads the neighbourhood its own way
// must answer as the walk does.
func testNetworkShapes(t *testing.T, s store.Store) {
	loadNetwork(t, s)
	ent, per, rec := models.EnterpriseRef, models.PersonRef, models.RecordRef
	ring0 := []models.Ref{ent(NR), ent(NR2)}
	ring1 := []models.Ref{ent(NA1), ent(NA2), ent(NA2X), ent(NA3), ent(NB1), per(NQ), rec("rn-r")}
	ring2 := []models.Ref{ent(NC1), ent(NC1X), ent(NC1Y), ent(NC2), ent(NC3), per(NQ2), rec("rn-q")}
	join := func(parts ...[]models.Ref) []models.Ref { return slices.Concat(parts...) }
	shares := []models.RelType{models.RelHoldsShares}
	cases := []struct {
		name      string
		root      models.Ref
		depth     int
		types     []models.RelType
		limit     int
		nodes     []models.Ref
		edges     []string // when not nil, every edge as "from>type>to" by key, sorted
		has       []string // edges that must be there
		lacks     []string // edges that must not
		truncated bool
	}{
		{"depth 2 whole", ent(NR), 2, nil, 100, join(ring0, ring1, ring2), nil, nil, nil, false},
		{"depth 1 whole", ent(NR), 1, nil, 100, join(ring0, ring1), nil, nil, nil, false},
		// The cut at 15 keeps ring 2's enterprises and person, not its record.
		{"limit cuts kinds", ent(NR), 2, nil, 15, join(ring0, ring1, ring2[:6]), nil, nil, nil, true},
		// The cut at 11 keeps NC1 and NC1X, not NC1Y: key order within a kind,
		// and the SAME_AS link NC1X═NC1Y goes with NC1Y.
		{"limit cuts keys", ent(NR), 2, nil, 11, join(ring0, ring1, ring2[:2]), nil,
			[]string{NA1 + ">HOLDS_SHARES>" + NC1, NC1 + ">SAME_AS>" + NC1X}, []string{NC1X + ">SAME_AS>" + NC1Y}, true},
		{"limit exact", ent(NR), 2, nil, 16, join(ring0, ring1, ring2), nil, nil, nil, false},
		{"limit in ring 1", ent(NR), 1, nil, 5, join(ring0, ring1[:3]),
			[]string{NA2 + ">SAME_AS>" + NA2X, NR + ">HOLDS_SHARES>" + NA1, NR + ">HOLDS_SHARES>" + NA2, NR + ">SAME_AS>" + NR2}, nil, nil, true},
		{"limit in ring 0", ent(NR), 2, nil, 1, []models.Ref{ent(NR)}, []string{}, nil, nil, true},
		{"holdings only", ent(NR), 2, shares, 100,
			join(ring0, []models.Ref{ent(NA1), ent(NA2), ent(NA2X), ent(NA3), ent(NB1), ent(NC1), ent(NC1X), ent(NC1Y), ent(NC2), per(NQ2)}), nil, nil, nil, false},
		// From a person: the SAME_AS partner of ring 1 is ring 1, its
		// neighbours ring 2; the person's record is ring 1.
		{"person root", per(NQ), 2, nil, 100,
			[]models.Ref{per(NQ), ent(NR), ent(NR2), ent(NC3), rec("rn-q"), ent(NA1), ent(NA2), ent(NA2X), ent(NA3), ent(NB1), rec("rn-r")}, nil, nil, nil, false},
		{"depth 3", ent(NR), 3, nil, 100, join(ring0, ring1, ring2, []models.Ref{ent(ND1), rec("rn-c1")}), nil, nil, nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g, err := store.Neighbourhood(ctx(), s, tc.root, tc.depth, tc.types, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			var got []models.Ref
			for _, n := range g.Nodes {
				got = append(got, n.Ref)
			}
			want := slices.Clone(tc.nodes)
			slices.SortFunc(want, func(a, b models.Ref) int { return strings.Compare(a.String(), b.String()) })
			slices.SortFunc(got, func(a, b models.Ref) int { return strings.Compare(a.String(), b.String()) })
			if !slices.Equal(got, want) || g.Truncated != tc.truncated {
				t.Errorf("nodes %v truncated %v;\n want %v truncated %v", got, g.Truncated, want, tc.truncated)
			}
			// Every edge joins two returned nodes; those given are exact.
			var ids []string
			for _, e := range g.Edges {
				if !slices.Contains(got, e.From) || !slices.Contains(got, e.To) {
					t.Errorf("edge %s leaves the returned nodes", e.ID())
				}
				ids = append(ids, e.From.Key+">"+string(e.Type)+">"+e.To.Key)
			}
			slices.Sort(ids)
			if tc.edges != nil && !slices.Equal(nonNilStrings(ids), tc.edges) {
				t.Errorf("edges %v, want %v", ids, tc.edges)
			}
			for _, id := range tc.has {
				if !slices.Contains(ids, id) {
					t.Errorf("edge %s missing from %v", id, ids)
				}
			}
			for _, id := range tc.lacks {
				if slices.Contains(ids, id) {
					t.Errorf("edge %s present, want it cut with its end", id)
				}
			}
		})
	}
	// The whole depth-2 network has each relationship among its nodes
	// that the rings reached, and nothing of ring 3.
	g, err := store.Neighbourhood(ctx(), s, ent(NR), 2, nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Edges) != 15 {
		t.Errorf("depth 2: %d edges, want 15 (4 SAME_AS, 6 of ring 1, 5 of ring 2): %v", len(g.Edges), edgeIDs(g.Edges))
	}

	// Each backend's answer is the walk's over its own Expand.
	roots := []models.Ref{ent(NR), ent(NA2X), ent(NC1X), per(NQ), per(NQ2)}
	typeSets := [][]models.RelType{nil, shares, {models.RelSameAs}, {models.RelLegalRepOf, models.RelHasRecord}}
	for _, root := range roots {
		for depth := 1; depth <= 2; depth++ {
			for _, types := range typeSets {
				for _, limit := range []int{1, 2, 5, 11, 15, 100} {
					name := fmt.Sprintf("%s depth %d types %v limit %d", root, depth, types, limit)
					got, err := store.Neighbourhood(ctx(), s, root, depth, types, limit)
					want, werr := store.WalkNeighbourhood(ctx(), s, root, depth, types, limit)
					if err != nil || werr != nil {
						t.Fatalf("%s: %v / walk %v", name, err, werr)
					}
					if !reflect.DeepEqual(got, want) {
						t.Errorf("%s:\n got  %v %v truncated %v\n walk %v %v truncated %v", name,
							refsOf(got), edgeIDs(got.Edges), got.Truncated, refsOf(want), edgeIDs(want.Edges), want.Truncated)
					}
				}
			}
		}
	}
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func refsOf(g store.Graph) []string {
	var out []string
	for _, n := range g.Nodes {
		out = append(out, n.ID)
	}
	return out
}

// networkPropsFixture is Fixture with every property a subgraph node or
// edge shows that Fixture lacks: a placeholder holder, a matched
// shareholding with voting and income ratios, an officer with a title text
// and day-to-day charge, a matched record, a relation, a control and a
// confirmed SAME_AS pair (B ═ G).
func networkPropsFixture() *store.Batch {
	b := Fixture()
	vr, ir := 0.55, 0.2
	b.Shareholdings = append(b.Shareholdings,
		models.Shareholding{Holder: models.EnterpriseRef("src:netp:ph"), Enterprise: C, Ratio: 0.05, MatchScore: 0.91},
		models.Shareholding{Holder: models.PersonRef(P3), Enterprise: G, Ratio: 0.3, Amount: 3e5, Since: d(2020, 2, 2),
			MatchScore: 0.93, VotingRatio: &vr, IncomeRatio: &ir})
	b.Roles = append(b.Roles, models.Role{Person: P2, Enterprise: B, Kind: models.RoleOfficer, Title: "manager",
		TitleText: "总经理", Since: d(2019, 4, 4), MatchScore: 0.88, DayToDay: true})
	b.Records = append(b.Records, models.Record{ID: "rp", Subject: models.EnterpriseRef(B), Kind: models.RecordPenalty, Severity: 0.2,
		Authority: "前海管理局", Decided: d(2025, 3, 3), Removed: d(2025, 9, 9), MatchScore: 0.87})
	b.Relations = []models.Relation{{A: P1, B: P2, Kind: models.RelationSpouse, Since: d(2010, 10, 10)}}
	b.Controls = []models.Control{{Controller: models.PersonRef(P1), Enterprise: C, Basis: models.ControlAgreement,
		Note: "表决权委托协议", Since: d(2022, 1, 1), Until: d(2027, 1, 1)}}
	return b
}

// testNetworkProperties holds Reader.Neighbourhood to the walk over
// Expand, property by property, on a network where every property a
// subgraph node or edge shows is set: two promoted runs (risk with flags,
// details and the previous run's score), placeholders, match scores,
// dates, a SAME_AS pair's decision. A backend that reads the neighbourhood
// its own way (the Neo4j store from lean rows of one statement) must show
// every one of them, as its Expand does.
func testNetworkProperties(t *testing.T, s store.Store) {
	LoadNetworkProperties(t, s)
	g, err := store.Neighbourhood(ctx(), s, models.EnterpriseRef(B), 2, nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	// The fixture reaches what it is for: each property shown at least once.
	shown := map[string]bool{}
	for _, n := range g.Nodes {
		for k := range n.Props {
			shown[string(n.Ref.Kind)+"."+k] = true
		}
		if n.Risk != nil && n.Risk.Previous != nil && len(n.Risk.Details) > 0 && len(n.Risk.Flags) > 0 {
			shown[string(n.Ref.Kind)+".risk"] = true
		}
	}
	for _, e := range g.Edges {
		for k := range e.Props {
			shown[string(e.Type)+"."+k] = true
		}
	}
	for _, k := range []string{"enterprise.uscc", "enterprise.region", "enterprise.status", "enterprise.placeholder", "enterprise.risk", "person.risk",
		"record.removed", "record.authority", "record.match_score", "record.decided", "record.severity", "record.kind",
		"HOLDS_SHARES.voting_ratio", "HOLDS_SHARES.income_ratio", "HOLDS_SHARES.match_score", "HOLDS_SHARES.amount", "HOLDS_SHARES.since",
		"OFFICER_OF.title_text", "OFFICER_OF.day_to_day", "OFFICER_OF.match_score", "OFFICER_OF.until",
		"RELATED_TO.kind", "RELATED_TO.since", "CONTROLS.basis", "CONTROLS.note", "CONTROLS.until",
		"SAME_AS.pair", "SAME_AS.score", "SAME_AS.decided_by", "SAME_AS.at"} {
		if !shown[k] {
			t.Errorf("the depth-2 network of B shows no %s", k)
		}
	}
	for _, root := range NetworkPropertiesRoots {
		for depth := 1; depth <= 2; depth++ {
			for _, types := range [][]models.RelType{nil, {models.RelHoldsShares}} {
				name := fmt.Sprintf("%s depth %d types %v", root, depth, types)
				got, err := store.Neighbourhood(ctx(), s, root, depth, types, 100)
				want, werr := store.WalkNeighbourhood(ctx(), s, root, depth, types, 100)
				if err != nil || werr != nil {
					t.Fatalf("%s: %v / walk %v", name, err, werr)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s:\n got  %+v\n walk %+v", name, got, want)
				}
			}
		}
	}
}

// NetworkPropertiesRoots are the roots testNetworkProperties walks from.
var NetworkPropertiesRoots = []models.Ref{models.EnterpriseRef(B), models.EnterpriseRef(C), models.EnterpriseRef(G),
	models.PersonRef(P1), models.PersonRef(P3)}

// LoadNetworkProperties writes the fixture of testNetworkProperties
// (Fixture with every property a subgraph shows) and promotes two runs'
// results, for a backend's own tests of how it reads a network.
func LoadNetworkProperties(t *testing.T, s store.Store) {
	t.Helper()
	if err := s.WriteBatch(ctx(), networkPropsFixture()); err != nil {
		t.Fatalf("write fixture: %v", err)
	}
	pair := xrefPair(B, G, 0.95, "xref-netp")
	if _, err := s.AddXrefPairs(ctx(), []store.XrefPair{pair}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DecideXrefPair(ctx(), pair.ID, store.XrefDecision{Decision: store.DecideConfirm, By: "k", At: pair.Found}); err != nil {
		t.Fatal(err)
	}
	for i, run := range []string{"netp-1", "netp-2"} {
		res := []models.RiskResult{
			{Ref: models.EnterpriseRef(C), Risk: models.Risk{Score: 0.5 + 0.1*float64(i), Grade: "C", Run: run,
				Flags: []string{"shell_cluster", "cycle"}, Details: []byte(`{"top":[["enterprise:` + D + `",0.2]]}`)}},
			{Ref: models.EnterpriseRef(B), Risk: models.Risk{Score: 0.3, Grade: "B", Run: run}},
			{Ref: models.PersonRef(P1), Risk: models.Risk{Score: 0.7 - 0.1*float64(i), Grade: "D", Run: run, Flags: []string{"dishonest_link"},
				Details: []byte(`{"x":1}`)}},
		}
		if err := s.WriteResults(ctx(), res); err != nil {
			t.Fatal(err)
		}
		if err := s.PromoteRun(ctx(), run); err != nil {
			t.Fatal(err)
		}
	}
}
