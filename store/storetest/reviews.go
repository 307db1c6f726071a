package storetest

import (
	"errors"
	"testing"
	"time"

	"riskgraph/models"
	"riskgraph/store"
)

// testMatchScores: a relationship or record whose enterprise the loader
// resolved by matching keeps the matcher's score (match_score) — on the
// edge and the record node in subgraphs, on the model values of Records
// and Scan — and a row written again without one loses it.
func testMatchScores(t *testing.T, s store.Store) {
	load(t, s)
	b := &store.Batch{
		Shareholdings: []models.Shareholding{{Holder: models.EnterpriseRef(A), Enterprise: G, Ratio: 0.2, MatchScore: 0.93}},
		Roles:         []models.Role{{Person: P2, Enterprise: G, Kind: models.RoleOfficer, Title: "manager", MatchScore: 0.91}},
		Branches:      []models.Branch{{Branch: A, Parent: G, MatchScore: 0.95}},
		Records: []models.Record{{ID: "rm", Subject: models.EnterpriseRef(G), Kind: models.RecordPenalty, Severity: 0.4,
			Decided: d(2024, 1, 2), MatchScore: 0.97}},
	}
	if err := s.WriteBatch(ctx(), b); err != nil {
		t.Fatal(err)
	}
	edgeScores := func() map[models.RelType]any {
		t.Helper()
		edges, nodes, err := s.Expand(ctx(), []models.Ref{models.EnterpriseRef(G)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := map[models.RelType]any{}
		for _, e := range edges {
			if e.Type == models.RelHasRecord {
				if e.To.Key == "rm" {
					got[e.Type] = nodes[e.To].Props["match_score"]
				}
				continue
			}
			if e.From.Key == A || e.From.Key == P2 {
				got[e.Type] = e.Props["match_score"]
			}
		}
		return got
	}
	want := map[models.RelType]any{models.RelHoldsShares: 0.93, models.RelOfficerOf: 0.91, models.RelBranchOf: 0.95, models.RelHasRecord: 0.97}
	if got := edgeScores(); len(got) != len(want) || got[models.RelHoldsShares] != 0.93 || got[models.RelOfficerOf] != 0.91 ||
		got[models.RelBranchOf] != 0.95 || got[models.RelHasRecord] != 0.97 {
		t.Errorf("match_score of G's edges and record node: %v, want %v", got, want)
	}
	recs, err := s.Records(ctx(), models.EnterpriseRef(G))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if want := map[string]float64{"rm": 0.97, "r4": 0}[r.ID]; r.MatchScore != want {
			t.Errorf("Records(G) %s: match score %v, want %v", r.ID, r.MatchScore, want)
		}
	}
	all := scanAll(t, s, 3)
	scores := map[string]float64{}
	for _, sh := range all.Shareholdings {
		scores["share "+sh.Holder.Key+">"+sh.Enterprise] = sh.MatchScore
	}
	for _, r := range all.Roles {
		scores["role "+r.Person+">"+r.Enterprise+"#"+r.Title] = r.MatchScore
	}
	for _, br := range all.Branches {
		scores["branch "+br.Branch+">"+br.Parent] = br.MatchScore
	}
	for _, r := range all.Records {
		scores["record "+r.ID] = r.MatchScore
	}
	for k, want := range map[string]float64{"share " + A + ">" + G: 0.93, "role " + P2 + ">" + G + "#manager": 0.91,
		"branch " + A + ">" + G: 0.95, "record rm": 0.97, "share " + F + ">" + B: 0, "branch " + BR + ">" + B: 0, "record r1": 0} {
		if got, ok := scores[k]; !ok || got != want {
			t.Errorf("Scan: %s has match score %v (present %v), want %v", k, got, ok, want)
		}
	}
	// Written again by key: the score goes.
	for i := range b.Shareholdings {
		b.Shareholdings[i].MatchScore = 0
	}
	b.Roles[0].MatchScore, b.Branches[0].MatchScore, b.Records[0].MatchScore = 0, 0, 0
	if err := s.WriteBatch(ctx(), b); err != nil {
		t.Fatal(err)
	}
	if got := edgeScores(); got[models.RelHoldsShares] != nil || got[models.RelOfficerOf] != nil || got[models.RelBranchOf] != nil || got[models.RelHasRecord] != nil {
		t.Errorf("after writing the rows again by key: match scores %v, want none", got)
	}
	bad := &store.Batch{Records: []models.Record{{ID: "rx", Subject: models.EnterpriseRef(G), Kind: models.RecordPenalty, Severity: 0.4, MatchScore: 1.5}}}
	if err := s.WriteBatch(ctx(), bad); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("match score 1.5: %v, want ErrInvalid", err)
	}
}

// review returns a pending entry holding one record of subject "" (the
// reference under review) created at t0 plus n seconds.
func review(id string, n int) store.Review {
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	return store.Review{ID: id, Source: "court", File: "records.csv", Line: n + 2, Field: "subject",
		Query:      store.MatchQuery{Name: "吉安汇骏实业有限责任公司", Region: "吉安", LegalRep: "张伟"},
		Candidates: []store.ReviewCandidate{{Key: G, Name: "上海浦东星河物流有限公司", Score: 0.81, Features: []store.ReviewFeature{{Feature: "name", Agreement: 0.81}}}, {Key: A, Name: "华为技术有限公司", Score: 0.72}},
		Rows: store.Batch{Records: []models.Record{{ID: "src:court:" + id, Subject: models.Ref{Kind: models.KindEnterprise}, Kind: models.RecordPenalty,
			Severity: 0.4, Decided: d(2024, 2, 2)}}},
		Status: store.ReviewPending, Created: t0.Add(time.Duration(n) * time.Second)}
}

// testReviews: the match review queue. Queuing is idempotent by id (a known
// entry comes back as stored, decision included); entries list oldest first
// by status with a cursor; a decision is made once (ErrDecided after, with
// nothing written), and an accepted entry's row is written with it in one
// transaction, advancing the data generation.
func testReviews(t *testing.T, s store.Store) {
	load(t, s)
	a, b, c := review("rv-a", 0), review("rv-b", 1), review("rv-c", 2)
	got, err := s.QueueReviews(ctx(), []store.Review{b, a, c})
	if err != nil || len(got) != 3 || got[0].ID != "rv-b" || got[1].Status != store.ReviewPending {
		t.Fatalf("QueueReviews: %+v, %v", got, err)
	}
	// Again, with a changed copy and a duplicate in the same call: the
	// stored entries come back unchanged and nothing is added.
	changed := a
	changed.Line, changed.Candidates = 99, nil
	got, err = s.QueueReviews(ctx(), []store.Review{changed, changed, review("rv-d", 3)})
	if err != nil || len(got) != 3 || got[0].Line != a.Line || got[1].Line != a.Line || len(got[0].Candidates) != 2 || got[2].ID != "rv-d" {
		t.Fatalf("queue again: %+v, %v; want rv-a as first stored, and rv-d", got, err)
	}
	one, err := s.Review(ctx(), "rv-a")
	if err != nil || one.Query != a.Query || len(one.Candidates) != 2 || one.Candidates[0].Key != G ||
		len(one.Candidates[0].Features) != 1 || one.Candidates[0].Features[0] != (store.ReviewFeature{Feature: "name", Agreement: 0.81}) ||
		one.Rows.Len() != 1 || one.Rows.Records[0].ID != "src:court:rv-a" || !one.Created.Equal(a.Created) || one.File != "records.csv" || one.Line != 2 || one.Field != "subject" {
		t.Fatalf("Review(rv-a): %+v, %v", one, err)
	}
	if _, err := s.Review(ctx(), "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown review: %v", err)
	}
	byID, err := s.ReviewsByID(ctx(), []string{"rv-c", "nope", "rv-a"})
	if err != nil || len(byID) != 2 || byID[0].ID != "rv-c" || byID[1].ID != "rv-a" {
		t.Errorf("ReviewsByID(rv-c, nope, rv-a): %+v, %v", byID, err)
	}
	ids := func(rs []store.Review) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	page, err := s.Reviews(ctx(), store.ReviewFilter{Status: store.ReviewPending, Limit: 3})
	if err != nil || len(page) != 3 || page[0].ID != "rv-a" || page[2].ID != "rv-c" {
		t.Fatalf("first page: %v, %v; want rv-a, rv-b, rv-c", ids(page), err)
	}
	last := page[2]
	page, err = s.Reviews(ctx(), store.ReviewFilter{Status: store.ReviewPending, AfterCreated: last.Created, AfterID: last.ID, Limit: 3})
	if err != nil || len(page) != 1 || page[0].ID != "rv-d" {
		t.Fatalf("second page: %v, %v; want rv-d", ids(page), err)
	}

	// Another row naming the same reference joins the pending entry (once).
	more := review("rv-a", 7)
	more.Rows.Records[0].ID = "src:court:rv-a2"
	for range 2 {
		got, err = s.QueueReviews(ctx(), []store.Review{more})
		if err != nil || got[0].Rows.Len() != 2 || got[0].Line != a.Line || got[0].Rows.Records[1].ID != "src:court:rv-a2" {
			t.Fatalf("queue a second row for rv-a: %+v, %v; want both rows held", got, err)
		}
	}
	if one, _ = s.Review(ctx(), "rv-a"); one.Rows.Len() != 2 {
		t.Fatalf("rv-a holds %d rows, want 2", one.Rows.Len())
	}

	// Accept rv-a for G: its records are written, attached to G, with the score.
	gen, _ := s.Generation(ctx())
	at := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	row := one.Attached(G, 0.81)
	dec, err := s.DecideReview(ctx(), "rv-a", store.ReviewDecision{Status: store.ReviewAccepted, Key: G, By: "key-insp", At: at}, &row)
	if err != nil || dec.Status != store.ReviewAccepted || dec.Key != G || dec.DecidedBy != "key-insp" || dec.Decided == nil || !dec.Decided.Equal(at) {
		t.Fatalf("accept: %+v, %v", dec, err)
	}
	if g2, _ := s.Generation(ctx()); g2 <= gen {
		t.Errorf("generation %d after an accepted review wrote its row, was %d", g2, gen)
	}
	recs, _ := s.Records(ctx(), models.EnterpriseRef(G))
	found := 0
	for _, r := range recs {
		if (r.ID == "src:court:rv-a" || r.ID == "src:court:rv-a2") && r.MatchScore == 0.81 {
			found++
		}
	}
	if found != 2 {
		t.Errorf("records of G after accepting rv-a: %+v, want src:court:rv-a and rv-a2 with score 0.81", recs)
	}
	// Deciding again: ErrDecided with the entry as decided; nothing written.
	row.Records = row.Records[:1]
	row.Records[0].ID = "src:court:second"
	again, err := s.DecideReview(ctx(), "rv-a", store.ReviewDecision{Status: store.ReviewRejected, By: "key-2", At: at.Add(time.Hour)}, &row)
	if !errors.Is(err, store.ErrDecided) || again.Status != store.ReviewAccepted || again.Key != G {
		t.Errorf("deciding twice: %+v, %v; want ErrDecided and the accepted entry", again, err)
	}
	if recs, _ := s.Records(ctx(), models.EnterpriseRef(G)); len(recs) != 3 {
		t.Errorf("a refused second decision wrote its batch: %d records on G", len(recs))
	}
	if _, err := s.DecideReview(ctx(), "nope", store.ReviewDecision{Status: store.ReviewRejected, At: at}, nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deciding an unknown review: %v", err)
	}
	if _, err := s.DecideReview(ctx(), "rv-b", store.ReviewDecision{Status: store.ReviewAccepted, At: at}, nil); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("accepting without a key: %v", err)
	}
	// Reject rv-b: recorded, nothing written.
	gen, _ = s.Generation(ctx())
	rej, err := s.DecideReview(ctx(), "rv-b", store.ReviewDecision{Status: store.ReviewRejected, By: "key-insp", At: at}, nil)
	if err != nil || rej.Status != store.ReviewRejected || rej.Key != "" {
		t.Fatalf("reject: %+v, %v", rej, err)
	}
	if g2, _ := s.Generation(ctx()); g2 != gen {
		t.Errorf("a rejection moved the generation %d → %d", gen, g2)
	}
	// Queuing them again returns the decisions; a decided entry takes no rows.
	more.Rows.Records[0].ID = "src:court:rv-a3"
	got, err = s.QueueReviews(ctx(), []store.Review{more, b})
	if err != nil || got[0].Status != store.ReviewAccepted || got[0].Key != G || got[0].Rows.Len() != 2 || got[1].Status != store.ReviewRejected {
		t.Errorf("queue decided entries again: %+v, %v; want them as decided, rv-a with its 2 rows", got, err)
	}
	for status, want := range map[string][]string{store.ReviewPending: {"rv-c", "rv-d"}, store.ReviewAccepted: {"rv-a"},
		store.ReviewRejected: {"rv-b"}, "": {"rv-a", "rv-b", "rv-c", "rv-d"}} {
		page, err := s.Reviews(ctx(), store.ReviewFilter{Status: status, Limit: 10})
		if err != nil || len(page) != len(want) {
			t.Errorf("status %q: %v, %v; want %v", status, ids(page), err, want)
			continue
		}
		for i := range want {
			if page[i].ID != want[i] {
				t.Errorf("status %q: %v, want %v", status, ids(page), want)
				break
			}
		}
	}
	bad := review("", 5)
	if _, err := s.QueueReviews(ctx(), []store.Review{bad}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("an entry without id: %v", err)
	}
	bad = review("rv-x", 5)
	bad.Rows = store.Batch{}
	if _, err := s.QueueReviews(ctx(), []store.Review{bad}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("an entry without a row: %v", err)
	}
}
