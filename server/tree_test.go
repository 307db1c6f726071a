package server

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/rs/zerolog"

	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/storetest"
)

// treeNode mirrors ownNode for decoding.
type treeNode struct {
	Ref      models.Ref  `json:"ref"`
	Ratio    float64     `json:"ratio"`
	Cycle    bool        `json:"cycle"`
	Children []*treeNode `json:"children"`
}

// render writes a tree as "key(ratio)[children]" with children in order,
// cycles marked with "!".
func (n *treeNode) render() string {
	s := n.Ref.Key
	if n.Ratio > 0 {
		s += fmt.Sprintf("(%g)", n.Ratio)
	}
	if n.Cycle {
		s += "!"
	}
	if len(n.Children) > 0 {
		parts := make([]string, len(n.Children))
		for i, c := range n.Children {
			parts[i] = c.render()
		}
		slices.Sort(parts)
		s += fmt.Sprint(parts)
	}
	return s
}

func ownershipOf(t *testing.T, h http.Handler, key, query string) (*treeNode, map[string]any) {
	t.Helper()
	var body struct {
		Root      *treeNode `json:"root"`
		Direction string    `json:"direction"`
		Nodes     int       `json:"nodes"`
		Truncated bool      `json:"truncated"`
	}
	getInto(t, h, "/api/v1/enterprises/"+key+"/ownership?"+query, &body)
	return body.Root, map[string]any{"direction": body.Direction, "nodes": body.Nodes, "truncated": body.Truncated}
}

// TestOwnershipTree: up follows holders, down holdings, to the depth asked;
// a holding that loops back is marked as a cycle and not expanded; the node
// limit truncates.
func TestOwnershipTree(t *testing.T) {
	h, s := newTestAPI(t)
	const (
		B, C, D, F = storetest.B, storetest.C, storetest.D, storetest.F
		P1, P2     = storetest.P1, storetest.P2
	)
	up, meta := ownershipOf(t, h, D, "")
	// Children print sorted: pids ("0a…", "1a…") before codes ("91…") before "src:…".
	if want := D + "[" + C + "(1)[" + P2 + "(0.3) " + B + "(0.7)[" + P1 + "(0.4) " + F + "(0.6)]]]"; up.render() != want || meta["nodes"] != 6 || meta["direction"] != "up" {
		t.Errorf("up from D:\n got  %s %v\n want %s, 6 nodes", up.render(), meta, want)
	}
	if up, _ := ownershipOf(t, h, D, "direction=up&depth=1"); up.render() != D+"["+C+"(1)]" {
		t.Errorf("up from D, depth 1: %s", up.render())
	}
	down, _ := ownershipOf(t, h, F, "direction=down")
	if want := F + "[" + B + "(0.6)[" + C + "(0.7)[" + D + "(1)]]]"; down.render() != want {
		t.Errorf("down from F:\n got  %s\n want %s", down.render(), want)
	}
	if _, meta := ownershipOf(t, h, D, "limit=2"); meta["nodes"] != 2 || meta["truncated"] != true {
		t.Errorf("limit 2: %v", meta)
	}

	// D takes 10 % of B: B → C → D → B loops.
	if err := s.WriteBatch(context.Background(), &store.Batch{Shareholdings: []models.Shareholding{
		{Holder: models.EnterpriseRef(D), Enterprise: B, Ratio: 0.1}}}); err != nil {
		t.Fatal(err)
	}
	h, _ = newTestAPIOn(t, s)
	down, meta = ownershipOf(t, h, B, "direction=down&depth=6")
	if want := B + "[" + C + "(0.7)[" + D + "(1)[" + B + "(0.1)!]]]"; down.render() != want || meta["truncated"] != false {
		t.Errorf("down from B with a cycle:\n got  %s %v\n want %s", down.render(), meta, want)
	}

	for _, q := range []string{"direction=sideways", "depth=0", "depth=7", "limit=2001", "limit=0"} {
		if code, body := get(t, h, "/api/v1/enterprises/"+B+"/ownership?"+q); code != 400 || errMessage(body) == "" {
			t.Errorf("ownership?%s: %d %v, want 400", q, code, body)
		}
	}
	if code, _ := get(t, h, "/api/v1/enterprises/91350100M000100Y43/ownership"); code != 404 {
		t.Errorf("ownership of an unknown enterprise: %d", code)
	}
}

// newTestAPIOn builds a fresh API (fresh cache) on an existing store.
func newTestAPIOn(t *testing.T, s store.Store) (http.Handler, store.Store) {
	t.Helper()
	return New(Options{Store: s, Logger: nopLogger(), InsecureDev: true}), s
}

// TestControlGroup: the enterprises and persons joined by holdings of more
// than 50 % and by branch links (the engine's control rule), with those
// links; smaller holders stay out; the member limit truncates.
func TestControlGroup(t *testing.T) {
	h, _ := newTestAPI(t)
	var body struct {
		Root    models.Ref   `json:"root"`
		Members []store.Node `json:"members"`
		Edges   []struct {
			Type  models.RelType `json:"type"`
			Props map[string]any `json:"props"`
		} `json:"edges"`
		Truncated bool `json:"truncated"`
	}
	for _, from := range []string{storetest.C, storetest.F} { // the same group from any member
		getInto(t, h, "/api/v1/enterprises/"+from+"/group", &body)
		var ids []string
		for _, m := range body.Members {
			ids = append(ids, m.ID)
		}
		want := []string{"enterprise:" + storetest.B, "enterprise:" + storetest.D, "enterprise:" + storetest.C, "enterprise:" + storetest.F, "enterprise:" + storetest.BR}
		slices.Sort(want)
		if !slices.Equal(ids, want) || len(body.Edges) != 4 || body.Truncated {
			t.Errorf("group of %s: members %v, %d edges, truncated %v; want %v and 4 edges", from, ids, len(body.Edges), body.Truncated, want)
		}
		for _, e := range body.Edges {
			if r, _ := e.Props["ratio"].(float64); e.Type != models.RelBranchOf && (e.Type != models.RelHoldsShares || r <= 0.5) {
				t.Errorf("group edge %+v: want holdings of more than 50 %% or branch links", e)
			}
		}
	}
	getInto(t, h, "/api/v1/enterprises/"+storetest.A+"/group", &body)
	if len(body.Members) != 1 || len(body.Edges) != 0 {
		t.Errorf("group of the isolated A: %+v", body)
	}
	getInto(t, h, "/api/v1/enterprises/"+storetest.C+"/group?limit=2", &body)
	if len(body.Members) != 2 || !body.Truncated {
		t.Errorf("group with limit 2: %d members, truncated %v", len(body.Members), body.Truncated)
	}
	if code, _ := get(t, h, "/api/v1/enterprises/"+storetest.C+"/group?limit=2001"); code != 400 {
		t.Errorf("group?limit=2001: %d, want 400", code)
	}
}

// TestRecordsPaging: pages of records in a stable order (newest decision
// first, then id) cover every record once, for enterprises and persons.
func TestRecordsPaging(t *testing.T) {
	_, s := newTestAPI(t)
	var recs []models.Record
	for i := range 23 {
		// Five decisions share each date, so the order within a date is by id.
		recs = append(recs, models.Record{ID: fmt.Sprintf("pg-%02d", (i*7)%23), Subject: models.EnterpriseRef(storetest.A),
			Kind: models.RecordPenalty, Severity: 0.1, Decided: models.NewDate(2020+i/5, 1, 1)})
	}
	recs = append(recs, models.Record{ID: "pp-1", Subject: models.PersonRef(storetest.P1), Kind: models.RecordBlacklist, Decided: models.NewDate(2021, 1, 1)},
		models.Record{ID: "pp-2", Subject: models.PersonRef(storetest.P1), Kind: models.RecordBlacklist, Decided: models.NewDate(2022, 1, 1)})
	if err := s.WriteBatch(context.Background(), &store.Batch{Records: recs}); err != nil {
		t.Fatal(err)
	}
	h, _ := newTestAPIOn(t, s)
	want, err := s.Records(context.Background(), models.EnterpriseRef(storetest.A))
	if err != nil || len(want) != 23 {
		t.Fatalf("records of A in the store: %d %v", len(want), err)
	}
	type recPage struct {
		Subject models.Ref `json:"subject"`
		Records struct {
			Items  []models.Record `json:"items"`
			Offset int             `json:"offset"`
			Limit  int             `json:"limit"`
			Total  int             `json:"total"`
		} `json:"records"`
	}
	for _, limit := range []int{1, 5, 7, 23, 200} {
		var got []string
		for offset := 0; offset < 30; offset += limit {
			var p recPage
			getInto(t, h, fmt.Sprintf("/api/v1/enterprises/%s/records?offset=%d&limit=%d", storetest.A, offset, limit), &p)
			if p.Records.Total != 23 || p.Records.Offset != offset || p.Records.Limit != limit || p.Subject != models.EnterpriseRef(storetest.A) {
				t.Fatalf("page at %d, limit %d: %+v", offset, limit, p)
			}
			for _, r := range p.Records.Items {
				got = append(got, r.ID)
			}
		}
		var wantIDs []string
		for _, r := range want {
			wantIDs = append(wantIDs, r.ID)
		}
		if !slices.Equal(got, wantIDs) {
			t.Errorf("limit %d: pages gave %v\nwant %v", limit, got, wantIDs)
		}
	}
	for i := 1; i < len(want); i++ {
		a, b := want[i-1], want[i]
		if a.Decided.Before(b.Decided.Time) || (a.Decided.Equal(b.Decided.Time) && a.ID > b.ID) {
			t.Errorf("order at %d: %s %v before %s %v", i, a.ID, a.Decided, b.ID, b.Decided)
		}
	}
	var p recPage
	getInto(t, h, "/api/v1/persons/"+storetest.P1+"/records?limit=1&offset=1", &p)
	if p.Records.Total != 2 || len(p.Records.Items) != 1 || p.Records.Items[0].ID != "pp-1" {
		t.Errorf("second page of P1's records: %+v", p)
	}
	var empty recPage
	getInto(t, h, "/api/v1/enterprises/"+storetest.A+"/records?offset=100", &empty)
	if empty.Records.Items == nil || len(empty.Records.Items) != 0 || empty.Records.Total != 23 {
		t.Errorf("page past the end: %+v", empty)
	}
	for _, q := range []string{"limit=201", "limit=0", "offset=-1", "offset=10001"} {
		if code, _ := get(t, h, "/api/v1/enterprises/"+storetest.A+"/records?"+q); code != 400 {
			t.Errorf("records?%s: %d, want 400", q, code)
		}
	}
	if code, _ := get(t, h, "/api/v1/persons/ffffffffffffffffffffffffffffffff/records"); code != 404 {
		t.Errorf("records of an unknown person: %d", code)
	}
}

func nopLogger() zerolog.Logger { return zerolog.Nop() }
