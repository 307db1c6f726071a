package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"riskgraph/auth"
	"riskgraph/engine"
	"riskgraph/models"
	"riskgraph/report"
	"riskgraph/store"
	"riskgraph/store/storetest"
)

// newCreditReportAPI is the fixture graph, scored, behind the API.
func newCreditReportAPI(t *testing.T, withEngine bool) *secured {
	t.Helper()
	s := memStore(t)
	var latest engine.Latest
	now := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)
	sc := newSecured(t, s, Options{Engine: &latest, Now: func() time.Time { return now }})
	if err := s.WriteBatch(context.Background(), &store.Batch{Licences: []models.Licence{
		{ID: "lic-1", Enterprise: storetest.B, Name: "食品经营许可证", Authority: "南山监管局", Decided: models.NewDate(2024, 3, 5)},
	}}); err != nil {
		t.Fatal(err)
	}
	if withEngine {
		res, _, err := engine.Score(context.Background(), s, engine.Options{Params: engine.DefaultParams(), Today: models.NewDate(2026, 5, 31)},
			"run-credit-report", func() time.Time { return now })
		if err != nil {
			t.Fatal(err)
		}
		latest.Set(res)
	}
	return sc
}

// TestCreditReportAPI: an inspector's report is stored as answered and
// verifies; GET /credit-reports/{number} returns it byte for byte; a
// tampered copy fails verification against it; HTML and PDF carry the
// number; the dashboard gets masked JSON and nothing else; bad input gets
// the right status.
func TestCreditReportAPI(t *testing.T) {
	sc := newCreditReportAPI(t, true)
	url := "/api/v1/enterprises/" + storetest.B + "/credit-report"
	code, ctype, body := sc.send(t, auth.Inspector, "GET", url, "")
	if code != 200 || !strings.HasPrefix(ctype, "application/json") {
		t.Fatalf("inspector: %d %s %.300s", code, ctype, body)
	}
	d, err := report.ParseCredit(body)
	if err != nil {
		t.Fatal(err)
	}
	if d.Subject.Ref != "enterprise:"+storetest.B || d.Engine.Run != "run-credit-report" || d.Licences.Total != 1 || d.SHA256 == "" {
		t.Errorf("report: subject %v run %q licences %d sha %q", d.Subject, d.Engine.Run, d.Licences.Total, d.SHA256)
	}
	if err := report.VerifyCredit(body, nil); err != nil {
		t.Errorf("the answer does not verify: %v", err)
	}
	code, _, stored := sc.send(t, auth.Checker, "GET", "/api/v1/credit-reports/"+d.Number, "")
	if code != 200 || !bytes.Equal(stored, body) {
		t.Fatalf("stored report: %d, equal %v", code, bytes.Equal(stored, body))
	}
	tampered := bytes.Replace(body, []byte(`"total":1`), []byte(`"total":0`), 1)
	if err := report.VerifyCredit(tampered, stored); !errors.Is(err, report.ErrTampered) {
		t.Errorf("a tampered copy: %v, want ErrTampered", err)
	}
	// Each request issues a new report.
	_, _, again := sc.send(t, auth.Inspector, "GET", url, "")
	if d2, _ := report.ParseCredit(again); d2 == nil || d2.Number == d.Number {
		t.Error("a second request did not issue a new number")
	}
	code, ctype, page := sc.send(t, auth.Inspector, "GET", url+"?format=html", "")
	if code != 200 || !strings.HasPrefix(ctype, "text/html") || !bytes.Contains(page, []byte("<svg")) {
		t.Errorf("html: %d %s", code, ctype)
	}
	code, ctype, pdf := sc.send(t, auth.Checker, "GET", url+"?format=pdf", "")
	if code != 200 || ctype != "application/pdf" || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Errorf("pdf: %d %s %.20q", code, ctype, pdf)
	}
	code, ctype, pdf = sc.send(t, auth.Checker, "GET", "/api/v1/credit-reports/"+d.Number+"?format=pdf", "")
	if code != 200 || ctype != "application/pdf" || !bytes.Contains(pdf, []byte("/FontFile2")) {
		t.Errorf("stored report as pdf: %d %s", code, ctype)
	}
	// The dashboard: masked JSON only.
	code, _, masked := sc.send(t, auth.Dashboard, "GET", url, "")
	if code != 200 {
		t.Fatalf("dashboard: %d %.300s", code, masked)
	}
	var md report.CreditReport
	if err := json.Unmarshal(masked, &md); err != nil {
		t.Fatal(err)
	}
	persons := 0
	for _, n := range md.Network.Nodes {
		if n.Party.IsPerson() {
			persons++
			if r := []rune(n.Party.Name); len(r) > 0 && !strings.HasSuffix(n.Party.Name, "*") {
				t.Errorf("dashboard sees a person's name: %q", n.Party.Name)
			}
		}
	}
	if persons == 0 {
		t.Error("the fixture's report names no person: the masking check checks nothing")
	}
	for _, f := range []string{"html", "pdf"} {
		if code, _, _ := sc.send(t, auth.Dashboard, "GET", url+"?format="+f, ""); code != 403 {
			t.Errorf("dashboard format=%s: %d, want 403", f, code)
		}
	}
	if code, _, _ := sc.send(t, auth.Dashboard, "GET", "/api/v1/credit-reports/"+d.Number, ""); code != 403 {
		t.Errorf("dashboard reading a stored report: %d, want 403", code)
	}
	for _, tc := range []struct {
		url  string
		code int
	}{
		{url + "?format=docx", 400},
		{"/api/v1/enterprises/91440300MA5DC0000Y/credit-report", 404},
		{"/api/v1/enterprises/not-a-key/credit-report", 400},
		{"/api/v1/credit-reports/CR20260601-0000000000", 404},
	} {
		if code, _, b := sc.send(t, auth.Inspector, "GET", tc.url, ""); code != tc.code {
			t.Errorf("%s: %d %.200s, want %d", tc.url, code, b, tc.code)
		}
	}
	// The audit entry names the subject and the persons the report names.
	entries, err := sc.s.Audit(context.Background(), store.AuditQuery{Route: "/api/v1/enterprises/:key/credit-report", Limit: 100})
	if err != nil || len(entries) == 0 {
		t.Fatalf("audit: %v %v", entries, err)
	}
	found := false
	for _, e := range entries {
		if strings.Join(e.Entities, " ") != "" && e.Entities[0] == "enterprise:"+storetest.B && len(e.Entities) > 1 {
			found = true
		}
	}
	if !found {
		t.Errorf("no audit entry names the report's parties: %+v", entries)
	}
}

// TestCreditReportWithoutRun: before any scoring run the report is 503.
func TestCreditReportWithoutRun(t *testing.T) {
	sc := newCreditReportAPI(t, false)
	code, _, body := sc.send(t, auth.Inspector, "GET", "/api/v1/enterprises/"+storetest.B+"/credit-report", "")
	if code != 503 || !strings.Contains(string(body), "riskgraph score") {
		t.Errorf("without a run: %d %s", code, body)
	}
}
