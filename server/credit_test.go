package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"riskgraph/auth"
	"riskgraph/credit"
	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/storetest"
)

// The fixture (storetest.Fixture) with the facts of the credit checks below:
// G is on the serious-violation list since 2021-07-07 (r4); P3, D's legal
// representative, is a dishonest debtor (r3); F, B's controlling
// shareholder (60 %), is put on the serious-violation list here; and a
// person known by identity number is a dishonest debtor.
// appointeeID: the last character is replaced by the right check character (validIDNumber).
const appointeeID = "110105199003071235"

func validIDNumber(t *testing.T) string {
	t.Helper()
	c, err := models.IDNumberCheckChar(appointeeID[:17])
	if err != nil {
		t.Fatal(err)
	}
	return appointeeID[:17] + string(c)
}

func newCreditAPI(t *testing.T) (*secured, *models.PIDHasher, string) {
	t.Helper()
	hasher, err := models.NewPIDHasher([]byte("0123456789abcdef0123"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)
	sc := newSecured(t, memStore(t), Options{Hasher: hasher, Now: func() time.Time { return now }})
	pid := hasher.FromIDNumber(validIDNumber(t))
	extra := &store.Batch{
		Persons: []models.Person{{PID: pid, Name: "赵敏"}},
		Records: []models.Record{
			{ID: "r-f", Subject: models.EnterpriseRef(storetest.F), Kind: models.RecordSeriousViolation, Severity: 0.9, Decided: models.NewDate(2024, 1, 1)},
			{ID: "r-pid", Subject: models.PersonRef(pid), Kind: models.RecordDishonestDebtor, Severity: 0.6, Decided: models.NewDate(2025, 1, 1)},
		},
	}
	if err := sc.s.WriteBatch(context.Background(), extra); err != nil {
		t.Fatal(err)
	}
	return sc, hasher, pid
}

// raw sends a request and returns status, content type and the body as sent.
func (sc *secured) send(t *testing.T, role auth.Role, method, url, body string, hdr ...string) (int, string, []byte) {
	t.Helper()
	req := httptest.NewRequest(method, url, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	req.Header.Set("Authorization", "Bearer "+sc.keys[role])
	rec := httptest.NewRecorder()
	sc.h.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Body)
	return rec.Code, rec.Header().Get("Content-Type"), b
}

func TestCreditChecksAPI(t *testing.T) {
	sc, _, pid := newCreditAPI(t)
	for _, tc := range []struct {
		name, body, verdict, relation string
	}{
		{"direct record", `{"subject":"` + storetest.G + `","scenario":"bidding"}`, "prohibited", "self"},
		{"as_of before the decision", `{"subject":"` + storetest.G + `","scenario":"bidding","as_of":"2021-07-06"}`, "clear", ""},
		{"legal rep is a dishonest debtor", `{"subject":"` + strings.ToLower(storetest.D) + `","scenario":"bidding"}`, "restricted", "legal_rep"},
		{"controlling shareholder listed", `{"subject":{"key":"` + storetest.B + `"},"scenario":"bidding"}`, "strict_review", "controlling_shareholder"},
		{"no records", `{"subject":"` + storetest.A + `","scenario":"bidding"}`, "clear", ""},
		{"appointee by identity number", `{"subject":{"name":"赵敏","id_number":"` + validIDNumber(t) + `"},"scenario":"appointment"}`, "prohibited", "self"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, ctype, body := sc.send(t, auth.Checker, "POST", "/api/v1/credit-checks", tc.body)
			if code != 200 || !strings.HasPrefix(ctype, "application/json") {
				t.Fatalf("%d %s %s", code, ctype, body)
			}
			var ans credit.Answer
			if err := json.Unmarshal(body, &ans); err != nil {
				t.Fatal(err)
			}
			if ans.Result.Verdict != tc.verdict || ans.KeyID != sc.ids[auth.Checker] {
				t.Errorf("verdict %s (key %s), want %s: %s", ans.Result.Verdict, ans.KeyID, tc.verdict, body)
			}
			if tc.relation != "" && (len(ans.Result.Measures) == 0 || ans.Result.Measures[0].Relation != tc.relation) {
				t.Errorf("measures %+v, want one through %s", ans.Result.Measures, tc.relation)
			}
			if err := credit.VerifyAnswer(body); err != nil {
				t.Error(err)
			}
			if strings.Contains(string(body), validIDNumber(t)) {
				t.Error("the answer repeats the identity number")
			}
			// Stored exactly as answered.
			code, _, again := sc.send(t, auth.Checker, "GET", "/api/v1/credit-checks/"+ans.ID, "")
			if code != 200 || string(again) != string(body) {
				t.Errorf("GET %s: %d\n%s\nwant\n%s", ans.ID, code, again, body)
			}
			code, ctype, page := sc.send(t, auth.Inspector, "GET", "/api/v1/credit-checks/"+ans.ID, "", "Accept", "text/html")
			if code != 200 || !strings.HasPrefix(ctype, "text/html") || !strings.Contains(string(page), "信用核查证明") ||
				!strings.Contains(string(page), ans.EvidenceSHA256) {
				t.Errorf("certificate: %d %s %.200s", code, ctype, page)
			}
		})
	}
	// The appointee's check is audited under the pid, never the number.
	code, audit, _ := sc.do(t, auth.Admin, "GET", "/api/v1/audit?entity=person:"+pid, "")
	if code != 200 || len(audit["entries"].([]any)) != 3 { // the POST and two GETs
		t.Errorf("audit entries of the appointee: %d %v", code, audit)
	}
	_, _, all := sc.send(t, auth.Admin, "GET", "/api/v1/audit?route=/api/v1/credit-checks&limit=100", "")
	if strings.Contains(string(all), validIDNumber(t)) || !strings.Contains(string(all), "enterprise:"+storetest.F) {
		t.Errorf("audit of checks: the number leaked, or the related party F is not named: %s", all)
	}
	// Counts by scenario and verdict, for dashboards too.
	code, counts, _ := sc.do(t, auth.Dashboard, "GET", "/api/v1/credit-checks?scenario=bidding&since=2026-01-01", "")
	if code != 200 || counts["total"] != float64(5) { // one of the six is an appointment
		t.Errorf("counts: %d %v", code, counts)
	}
	code, counts, _ = sc.do(t, auth.Checker, "GET", "/api/v1/credit-checks?since=2026-06-02", "")
	if code != 200 || counts["total"] != float64(0) {
		t.Errorf("counts since tomorrow: %d %v", code, counts)
	}
	if code, _, body := sc.send(t, auth.Checker, "GET", "/api/v1/credit-checks/chk_nope", ""); code != 404 {
		t.Errorf("unknown check: %d %s", code, body)
	}
}

func TestCreditChecksBadInput(t *testing.T) {
	sc, _, _ := newCreditAPI(t)
	bad := validIDNumber(t)[:17] + "0"
	if bad == validIDNumber(t) {
		bad = validIDNumber(t)[:17] + "1"
	}
	for _, tc := range []struct {
		name, body string
		code       int
		want       []string
	}{
		{"unknown scenario", `{"subject":"` + storetest.G + `","scenario":"tendering"}`, 400, []string{`tendering`, "bidding", "honours", "appointment"}},
		{"bad identity number", `{"subject":{"name":"赵敏","id_number":"` + bad + `"},"scenario":"appointment"}`, 400, []string{"subject.id_number", "check character"}},
		{"identity number as a key", `{"subject":"` + validIDNumber(t) + `","scenario":"bidding"}`, 400, []string{"looks like an identity number"}},
		{"person without a name", `{"subject":{"id_number":"` + validIDNumber(t) + `"},"scenario":"appointment"}`, 400, []string{"subject.name"}},
		{"person in bidding", `{"subject":{"name":"赵敏","id_number":"` + validIDNumber(t) + `"},"scenario":"bidding"}`, 400, []string{"checks enterprise subjects"}},
		{"no subject", `{"scenario":"bidding"}`, 400, []string{"subject: missing"}},
		{"unknown field", `{"subject":"` + storetest.G + `","scenario":"bidding","when":"now"}`, 400, []string{"when"}},
		{"future as_of", `{"subject":"` + storetest.G + `","scenario":"bidding","as_of":"2030-01-01"}`, 400, []string{"after today"}},
		{"bad as_of", `{"subject":"` + storetest.G + `","scenario":"bidding","as_of":"01/02/2026"}`, 400, []string{"YYYY-MM-DD"}},
		{"unknown enterprise", `{"subject":"src:x:1","scenario":"bidding"}`, 404, []string{"no such enterprise"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, body := sc.send(t, auth.Checker, "POST", "/api/v1/credit-checks", tc.body)
			if code != tc.code {
				t.Fatalf("%d %s, want %d", code, body, tc.code)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(body), w) {
					t.Errorf("message lacks %q: %s", w, body)
				}
			}
			if strings.Contains(string(body), bad) || strings.Contains(string(body), validIDNumber(t)) {
				t.Errorf("the message repeats an identity number: %s", body)
			}
		})
	}
	if code, counts, _ := sc.do(t, auth.Checker, "GET", "/api/v1/credit-checks", ""); code != 200 || counts["total"] != float64(0) {
		t.Errorf("refused checks were stored: %v", counts)
	}
	if code, _, body := sc.send(t, auth.Checker, "GET", "/api/v1/credit-checks?scenario=tendering", ""); code != 400 || !strings.Contains(string(body), "bidding") {
		t.Errorf("counts of an unknown scenario: %d %s", code, body)
	}
}

func TestCreditChecksBatch(t *testing.T) {
	sc, _, _ := newCreditAPI(t)
	subjects := func(n int) string {
		ks := make([]string, n)
		for i := range ks {
			ks[i] = `"` + storetest.G + `"`
		}
		return strings.Join(ks, ",")
	}
	body := `{"scenario":"bidding","subjects":["` + storetest.B + `","src:x:none",{"name":"赵敏","id_number":"1"},"` + storetest.A + `"]}`
	code, _, raw := sc.send(t, auth.Checker, "POST", "/api/v1/credit-checks:batch", body)
	if code != 200 {
		t.Fatalf("%d %s", code, raw)
	}
	var view checkBatchView
	if err := json.Unmarshal(raw, &view); err != nil {
		t.Fatal(err)
	}
	if len(view.Checks) != 2 || len(view.Errors) != 2 || view.Errors[0].Index != 1 || view.Errors[1].Index != 2 ||
		view.Verdicts.StrictReview != 1 || view.Verdicts.Clear != 1 || view.Errors[1].Subject != "invalid" {
		t.Errorf("batch: %s", raw)
	}
	// Each check of the batch is stored exactly as the batch carried it.
	for _, a := range view.Checks {
		want, _ := json.Marshal(a)
		if code, _, got := sc.send(t, auth.Checker, "GET", "/api/v1/credit-checks/"+a.ID, ""); code != 200 || string(got) != string(want) {
			t.Errorf("stored %s: %d\n%s\nwant\n%s", a.ID, code, got, want)
		}
	}
	// 10 000 subjects are taken; 10 001 are refused.
	code, _, raw = sc.send(t, auth.Checker, "POST", "/api/v1/credit-checks:batch", `{"scenario":"bidding","subjects":[`+subjects(10_000)+`]}`)
	if code != 200 {
		t.Fatalf("10 000 subjects: %d %.300s", code, raw)
	}
	if err := json.Unmarshal(raw, &view); err != nil || len(view.Checks) != 10_000 || view.Verdicts.Prohibited != 10_000 {
		t.Errorf("10 000 subjects: %v, %d checks", err, len(view.Checks))
	}
	code, _, raw = sc.send(t, auth.Checker, "POST", "/api/v1/credit-checks:batch", `{"scenario":"bidding","subjects":[`+subjects(10_001)+`]}`)
	if code != 400 || !strings.Contains(string(raw), "1 to 10000 subjects (got 10001)") {
		t.Errorf("10 001 subjects: %d %.300s", code, raw)
	}
	if code, _, raw := sc.send(t, auth.Checker, "POST", "/api/v1/credit-checks:batch", `{"scenario":"nope","subjects":["`+storetest.G+`"]}`); code != 400 || !strings.Contains(string(raw), "bidding") {
		t.Errorf("unknown scenario: %d %s", code, raw)
	}
	_, counts, _ := sc.do(t, auth.Checker, "GET", "/api/v1/credit-checks?scenario=bidding", "")
	if counts["total"] != float64(10_002) {
		t.Errorf("stored checks: %v", counts["total"])
	}
}

// TestCheckerRole: a checker runs and reads checks, and reaches neither
// networks, persons' profiles nor rankings; a dashboard runs no check.
func TestCheckerRole(t *testing.T) {
	sc, _, _ := newCreditAPI(t)
	for _, tc := range []struct {
		role         auth.Role
		method, path string
		body         string
		admitted     bool
	}{
		{auth.Checker, "POST", "/api/v1/credit-checks", `{"subject":"` + storetest.G + `","scenario":"bidding"}`, true},
		{auth.Checker, "GET", "/api/v1/credit-checks", "", true},
		{auth.Checker, "GET", "/api/v1/enterprises/" + storetest.C + "/network", "", false},
		{auth.Checker, "GET", "/api/v1/enterprises/" + storetest.C + "/ownership", "", false},
		{auth.Checker, "GET", "/api/v1/enterprises/" + storetest.C + "/group", "", false},
		{auth.Checker, "GET", "/api/v1/persons/" + storetest.P3, "", false},
		{auth.Checker, "GET", "/api/v1/persons/" + storetest.P3 + "/network", "", false},
		{auth.Checker, "GET", "/api/v1/paths?from=" + storetest.B + "&to=" + storetest.D, "", false},
		{auth.Checker, "GET", "/api/v1/ranking", "", false},
		{auth.Checker, "GET", "/api/v1/search?q=x", "", false},
		{auth.Checker, "GET", "/api/v1/enterprises/" + storetest.C, "", false},
		{auth.Dashboard, "POST", "/api/v1/credit-checks", `{"subject":"` + storetest.G + `","scenario":"bidding"}`, false},
		{auth.Dashboard, "GET", "/api/v1/credit-checks/chk_x", "", false},
		{auth.Writer, "POST", "/api/v1/credit-checks:batch", `{"scenario":"bidding","subjects":["` + storetest.G + `"]}`, false},
	} {
		code, _, body := sc.send(t, tc.role, tc.method, tc.path, tc.body)
		if admitted := code != 403 && code != 401; admitted != tc.admitted {
			t.Errorf("%s %s as %s: %d %.200s, admitted=%v", tc.method, tc.path, tc.role, code, body, tc.admitted)
		}
	}
}

// TestCheckScenarios: GET /credit-checks/scenarios lists the catalogue's
// scenarios in order with their labels and subject kinds, for checkers
// and inspectors; it does not shadow GET /credit-checks/{id}.
func TestCheckScenarios(t *testing.T) {
	sc, _, _ := newCreditAPI(t)
	code, _, raw := sc.send(t, auth.Checker, "GET", "/api/v1/credit-checks/scenarios", "")
	if code != 200 {
		t.Fatalf("%d %s", code, raw)
	}
	var v scenariosView
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	cat := credit.Default()
	if len(v.Scenarios) != len(cat.Scenarios) || v.Catalogue.Version != cat.Version || v.Catalogue.SHA256 == "" {
		t.Fatalf("scenarios: %s", raw)
	}
	for i, id := range cat.ScenarioIDs() {
		s := v.Scenarios[i]
		if s.ID != id || s.Zh == "" || s.En == "" || len(s.Subjects) == 0 {
			t.Errorf("scenario %d: %+v, want %s with labels and subjects", i, s, id)
		}
		if id == "appointment" && (len(s.Subjects) != 1 || s.Subjects[0] != "person") {
			t.Errorf("appointment checks persons: %+v", s)
		}
	}
	if code, _, _ := sc.send(t, auth.Inspector, "GET", "/api/v1/credit-checks/scenarios", ""); code != 200 {
		t.Errorf("inspector: %d", code)
	}
	if code, _, _ := sc.send(t, auth.Dashboard, "GET", "/api/v1/credit-checks/scenarios", ""); code != 403 {
		t.Errorf("dashboard: %d, want 403", code)
	}
	if code, _, body := sc.send(t, auth.Checker, "GET", "/api/v1/credit-checks/chk_nope", ""); code != 404 {
		t.Errorf("a check id after the scenarios route: %d %s", code, body)
	}
}
