package server

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"riskgraph/auth"
	"riskgraph/report"
	"riskgraph/store"
	"riskgraph/store/storetest"
)

// TestReportsAPI: a stored report is listed and served as JSON, CSV and
// HTML, chosen by format= or Accept; only inspectors (and admins) may read.
func TestReportsAPI(t *testing.T) {
	sc := newSecured(t, memStore(t), Options{})
	d := &report.Document{Format: report.Format, Run: report.RunInfo{ID: "run-2"}, Against: &report.RunInfo{ID: "run-1"},
		EnteredCD: []report.GradeChange{{Subject: report.Subject{Ref: "enterprise:" + storetest.C, Name: "深圳测试有限公司"}, Before: "B", After: "D", ScoreAfter: 0.7}},
		Grades:    []report.GradeCount{{Grade: "A"}, {Grade: "B", Before: 1}, {Grade: "C"}, {Grade: "D", After: 1}}}
	body, err := report.RenderJSON(d)
	if err != nil {
		t.Fatal(err)
	}
	if err := sc.s.SaveReport(context.Background(), store.Report{ID: "rpt-1", Created: time.Now(), Run: "run-2", Against: "run-1", Body: body}); err != nil {
		t.Fatal(err)
	}
	code, resp, _ := sc.do(t, auth.Inspector, "GET", "/api/v1/reports", "")
	if list, _ := resp["reports"].([]any); code != 200 || len(list) != 1 {
		t.Fatalf("list: %d %v", code, resp)
	}
	get := func(url, accept string) (*httptest.ResponseRecorder, string) {
		req := httptest.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", "Bearer "+sc.keys[auth.Inspector])
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		rec := httptest.NewRecorder()
		sc.h.ServeHTTP(rec, req)
		return rec, rec.Header().Get("Content-Type")
	}
	if rec, ct := get("/api/v1/reports/rpt-1", ""); rec.Code != 200 || !strings.HasPrefix(ct, "application/json") || !bytes.Equal(rec.Body.Bytes(), body) {
		t.Errorf("json: %d %s", rec.Code, ct)
	}
	if rec, ct := get("/api/v1/reports/rpt-1", "text/html,application/xhtml+xml"); rec.Code != 200 || !strings.HasPrefix(ct, "text/html") ||
		!strings.Contains(rec.Body.String(), "深圳测试有限公司") {
		t.Errorf("html by Accept: %d %s", rec.Code, ct)
	}
	if rec, ct := get("/api/v1/reports/rpt-1?format=csv&section=entered_cd", "text/html"); rec.Code != 200 || !strings.HasPrefix(ct, "text/csv") ||
		!strings.HasPrefix(rec.Body.String(), "\ufeffref,name") || !strings.Contains(rec.Body.String(), storetest.C) {
		t.Errorf("csv: %d %s %q", rec.Code, ct, rec.Body.String())
	}
	if rec, _ := get("/api/v1/reports/rpt-1?format=csv&section=nope", ""); rec.Code != 400 {
		t.Errorf("bad section: %d", rec.Code)
	}
	if rec, _ := get("/api/v1/reports/rpt-1?format=pdf", ""); rec.Code != 400 {
		t.Errorf("bad format: %d", rec.Code)
	}
	if rec, _ := get("/api/v1/reports/nope", ""); rec.Code != 404 {
		t.Errorf("unknown report: %d", rec.Code)
	}
	if code, _, _ := sc.do(t, auth.Dashboard, "GET", "/api/v1/reports/rpt-1", ""); code != http.StatusForbidden {
		t.Errorf("dashboard reading a report: %d", code)
	}
}

// TestWatchlistsAPI: create (codes normalised, bad ones refused), list, delete.
func TestWatchlistsAPI(t *testing.T) {
	sc := newSecured(t, memStore(t), Options{})
	code, resp, _ := sc.do(t, auth.Inspector, "POST", "/api/v1/watchlists",
		`{"name":"深圳重点","keys":["`+strings.ToLower(storetest.C)+`","`+storetest.F+`","person:`+storetest.P3+`"]}`)
	if code != 201 {
		t.Fatalf("create: %d %v", code, resp)
	}
	id, _ := resp["id"].(string)
	keys, _ := resp["keys"].([]any)
	if len(keys) != 3 || keys[0] != storetest.C || resp["owner"] != sc.ids[auth.Inspector] {
		t.Errorf("created %v", resp)
	}
	for _, bad := range []string{`{"name":"x","keys":["91440305QEFLCR63FX"]}`, `{"name":"","keys":["` + storetest.C + `"]}`,
		`{"name":"x","keys":[]}`, `{"name":"x","keys":["person:12"]}`, `not json`} {
		if code, resp, _ := sc.do(t, auth.Inspector, "POST", "/api/v1/watchlists", bad); code != 400 {
			t.Errorf("%s: %d %v", bad, code, resp)
		}
	}
	if code, resp, _ := sc.do(t, auth.Inspector, "GET", "/api/v1/watchlists", ""); code != 200 || len(resp["watchlists"].([]any)) != 1 {
		t.Errorf("list: %d %v", code, resp)
	}
	if code, _, _ := sc.do(t, auth.Dashboard, "POST", "/api/v1/watchlists", `{"name":"x","keys":["`+storetest.C+`"]}`); code != 403 {
		t.Errorf("dashboard creating: %d", code)
	}
	if code, _, _ := sc.do(t, auth.Inspector, "DELETE", "/api/v1/watchlists/"+id, ""); code != 204 {
		t.Errorf("delete: %d", code)
	}
	if code, _, _ := sc.do(t, auth.Inspector, "DELETE", "/api/v1/watchlists/"+id, ""); code != 404 {
		t.Errorf("second delete: %d", code)
	}
}
