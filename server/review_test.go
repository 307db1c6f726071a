package server

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"riskgraph/auth"
	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/storetest"
)

// queued puts a pending entry holding two records of an unresolved
// subject, with G and A as candidates.
func queued(t *testing.T, s store.Store, id string, n int) store.Review {
	t.Helper()
	r := store.Review{ID: id, Source: "court", File: "records.csv", Line: 2 + n, Field: "subject",
		Query: store.MatchQuery{Name: "浦东星河物流", LegalRep: "王芳"},
		Candidates: []store.ReviewCandidate{{Key: storetest.G, Name: "上海浦东星河物流有限公司", Score: 0.84},
			{Key: storetest.A, Name: "华为技术有限公司", Score: 0.71}},
		Rows: store.Batch{Records: []models.Record{
			{ID: "src:court:" + id + "-1", Subject: models.Ref{Kind: models.KindEnterprise}, Kind: models.RecordPenalty, Severity: 0.4},
			{ID: "src:court:" + id + "-2", Subject: models.Ref{Kind: models.KindEnterprise}, Kind: models.RecordAbnormal, Severity: 0.3}}},
		Status: store.ReviewPending, Created: time.Date(2026, 3, 1, 8, 0, n, 0, time.UTC)}
	if _, err := s.QueueReviews(context.Background(), []store.Review{r}); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestReviewRoutes: list, accept (the held rows are written to the chosen
// enterprise, with the score), reject, and the errors: deciding twice 409,
// an unknown id 404, a key outside the candidates 422, no key 400, an
// unknown decision 400; every decision audited with its entity; the
// dashboard and writer roles are refused.
func TestReviewRoutes(t *testing.T) {
	s := memStore(t)
	sc := newSecured(t, s, Options{})
	for i := range 3 {
		queued(t, s, fmt.Sprintf("rv%d", i), i)
	}
	code, got, _ := sc.do(t, auth.Inspector, "GET", "/api/v1/match/review?limit=2", "")
	entries, _ := got["entries"].([]any)
	if code != 200 || len(entries) != 2 || got["next"] == "" {
		t.Fatalf("list: %d %v", code, got)
	}
	first := entries[0].(map[string]any)
	if first["id"] != "rv0" || first["query"].(map[string]any)["legal_rep"] != "王芳" || len(first["candidates"].([]any)) != 2 {
		t.Errorf("first entry: %v", first)
	}
	code, got, _ = sc.do(t, auth.Inspector, "GET", "/api/v1/match/review?limit=2&cursor="+got["next"].(string), "")
	if entries, _ = got["entries"].([]any); code != 200 || len(entries) != 1 || entries[0].(map[string]any)["id"] != "rv2" || got["next"] != "" {
		t.Errorf("second page: %d %v", code, got)
	}
	for _, bad := range []string{"?status=maybe", "?cursor=xyz", "?limit=0"} {
		if code, got, _ := sc.do(t, auth.Inspector, "GET", "/api/v1/match/review"+bad, ""); code != 400 {
			t.Errorf("list %s: %d %v, want 400", bad, code, got)
		}
	}

	gen, _ := s.Generation(context.Background())
	code, got, _ = sc.do(t, auth.Inspector, "POST", "/api/v1/match/review/rv0", `{"decision":"accept","key":"`+strings.ToLower(storetest.G)+`"}`)
	if code != 200 || got["written"] != 2.0 || got["review"].(map[string]any)["status"] != "accepted" || got["review"].(map[string]any)["key"] != storetest.G ||
		got["review"].(map[string]any)["decided_by"] != sc.ids[auth.Inspector] {
		t.Fatalf("accept: %d %v", code, got)
	}
	recs, _ := s.Records(context.Background(), models.EnterpriseRef(storetest.G))
	n := 0
	for _, r := range recs {
		if strings.HasPrefix(r.ID, "src:court:rv0-") && r.MatchScore == 0.84 {
			n++
		}
	}
	if n != 2 {
		t.Errorf("records of G after the accept: %+v, want the 2 held rows with score 0.84", recs)
	}
	if g, _ := s.Generation(context.Background()); g <= gen {
		t.Errorf("generation %d after an accept, was %d", g, gen)
	}
	// The network answer sees the new rows at once (the write invalidated the version).
	code, got, _ = sc.do(t, auth.Inspector, "GET", "/api/v1/enterprises/"+storetest.G+"/records", "")
	if code != 200 || !strings.Contains(fmt.Sprint(got), "src:court:rv0-1") {
		t.Errorf("records of G through the API after the accept: %d %v", code, got)
	}

	code, got, _ = sc.do(t, auth.Inspector, "POST", "/api/v1/match/review/rv0", `{"decision":"reject"}`)
	if code != 409 || !strings.Contains(errMessage(got), "was accepted for "+storetest.G) {
		t.Errorf("deciding twice: %d %v, want 409", code, got)
	}
	code, got, _ = sc.do(t, auth.Inspector, "POST", "/api/v1/match/review/nope", `{"decision":"reject"}`)
	if code != 404 || !strings.Contains(errMessage(got), "no such entry") {
		t.Errorf("unknown id: %d %v, want 404", code, got)
	}
	code, got, _ = sc.do(t, auth.Inspector, "POST", "/api/v1/match/review/rv1", `{"decision":"accept","key":"`+storetest.D+`"}`)
	if code != 422 || !strings.Contains(errMessage(got), "not among the candidates") || !strings.Contains(errMessage(got), storetest.G) {
		t.Errorf("a key outside the candidates: %d %v, want 422 naming them", code, got)
	}
	for body, want := range map[string]string{
		`{"decision":"accept"}`:                             "give the key of the candidate",
		`{"decision":"maybe"}`:                              `decision "maybe"`,
		`{"decision":"accept","key":"12345"}`:               "not an enterprise key",
		`{"decision":"reject","key":"` + storetest.G + `"}`: "a rejection names no key",
		`{"decision":"reject","extra":1}`:                   "unknown field",
	} {
		code, got, _ := sc.do(t, auth.Inspector, "POST", "/api/v1/match/review/rv1", body)
		if code != 400 || !strings.Contains(errMessage(got), want) {
			t.Errorf("%s: %d %v, want 400 saying %q", body, code, got, want)
		}
	}
	code, got, _ = sc.do(t, auth.Admin, "POST", "/api/v1/match/review/rv1", `{"decision":"reject"}`)
	if code != 200 || got["written"] != 0.0 || got["review"].(map[string]any)["status"] != "rejected" {
		t.Errorf("reject as admin: %d %v", code, got)
	}
	for _, role := range []auth.Role{auth.Dashboard, auth.Writer} {
		if code, _, _ := sc.do(t, role, "POST", "/api/v1/match/review/rv2", `{"decision":"reject"}`); code != 403 {
			t.Errorf("%s deciding: %d, want 403", role, code)
		}
		if code, _, _ := sc.do(t, role, "GET", "/api/v1/match/review", ""); code != 403 {
			t.Errorf("%s listing: %d, want 403", role, code)
		}
	}
	code, got, _ = sc.do(t, auth.Inspector, "GET", "/api/v1/match/review?status=all", "")
	if entries, _ = got["entries"].([]any); code != 200 || len(entries) != 3 {
		t.Errorf("status=all: %d %v", code, got)
	}

	// Every decision is audited, the accept with the chosen enterprise.
	es, err := s.Audit(context.Background(), store.AuditQuery{Route: "/api/v1/match/review/:id", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var accepted, conflicts int
	for _, e := range es {
		if e.Status == 200 && len(e.Entities) == 1 && e.Entities[0] == "enterprise:"+storetest.G {
			accepted++
		}
		if e.Status == 409 {
			conflicts++
		}
	}
	if accepted != 1 || conflicts != 1 || len(es) < 10 {
		t.Errorf("audit of decisions: %d entries, %d accepts naming G, %d conflicts: %+v", len(es), accepted, conflicts, es)
	}
}

// TestQueueReviewsRoute: the writer's route that riskgraph ingest beside a
// running server queues through: idempotent, decisions kept, bad entries
// refused.
func TestQueueReviewsRoute(t *testing.T) {
	s := memStore(t)
	sc := newSecured(t, s, Options{})
	body := `{"entries": [{"id": "rq1", "source": "court", "file": "r.csv", "line": 2, "field": "subject",
		"query": {"name": "星河物流"}, "candidates": [{"key": "` + storetest.G + `", "name": "上海浦东星河物流有限公司", "score": 0.8}],
		"rows": {"records": [{"id": "src:court:x", "subject": {"kind": "enterprise", "key": ""}, "kind": "administrative_penalty", "severity": 0.4}]},
		"status": "pending", "created": "2026-03-01T08:00:00Z"}]}`
	for range 2 {
		code, got, _ := sc.do(t, auth.Writer, "POST", "/api/v1/match/review", body)
		if es, _ := got["entries"].([]any); code != 200 || len(es) != 1 || es[0].(map[string]any)["status"] != "pending" {
			t.Fatalf("queue: %d %v", code, got)
		}
	}
	if q, _ := s.Reviews(context.Background(), store.ReviewFilter{Limit: 10}); len(q) != 1 || q[0].Rows.Len() != 1 {
		t.Errorf("queue after two posts: %+v", q)
	}
	if code, got, _ := sc.do(t, auth.Writer, "POST", "/api/v1/match/review", `{"entries": []}`); code != 400 || !strings.Contains(errMessage(got), "give 1 to 500 entries") {
		t.Errorf("no entries: %d %v", code, got)
	}
	decided := strings.Replace(body, `"status": "pending"`, `"status": "accepted", "key": "`+storetest.G+`"`, 1)
	if code, got, _ := sc.do(t, auth.Writer, "POST", "/api/v1/match/review", decided); code != 400 || !strings.Contains(errMessage(got), "without a decision") {
		t.Errorf("a decided entry: %d %v", code, got)
	}
	if code, _, _ := sc.do(t, auth.Inspector, "POST", "/api/v1/match/review", body); code != 403 {
		t.Errorf("inspector queuing: %d, want 403", code)
	}
}
