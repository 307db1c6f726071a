package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"riskgraph/auth"
	"riskgraph/credit"
	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/neo4j/neo4jtest"
	"riskgraph/store/storetest"
)

// creditFileAPI serves the fixture (G on the serious-violation list since
// 2021-07-07, r4; F, B's controlling shareholder, listed in 2024, r-f; A
// on a red list, r-red) on 2026-06-01, with a public limit of 3 a minute.
func creditFileAPI(t *testing.T, s store.Store) *secured {
	t.Helper()
	now := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)
	sc := newSecured(t, s, Options{Now: func() time.Time { return now }, PublicRateLimit: 3})
	if err := s.WriteBatch(context.Background(), &store.Batch{Records: []models.Record{
		{ID: "r-f", Subject: models.EnterpriseRef(storetest.F), Kind: models.RecordSeriousViolation, Severity: 0.9, Decided: models.NewDate(2024, 1, 1)},
		{ID: "r-red", Subject: models.EnterpriseRef(storetest.A), Kind: "red_list", Decided: models.NewDate(2025, 1, 1)},
	}}); err != nil {
		t.Fatal(err)
	}
	return sc
}

func (sc *secured) check(t *testing.T, subject, asOf string) credit.Result {
	t.Helper()
	body := `{"subject":"` + subject + `","scenario":"bidding"` + map[bool]string{true: `,"as_of":"` + asOf + `"`, false: ""}[asOf != ""] + `}`
	code, _, b := sc.send(t, auth.Checker, "POST", "/api/v1/credit-checks", body)
	if code != 200 {
		t.Fatalf("check %s: %d %s", subject, code, b)
	}
	var a credit.Answer
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}
	return a.Result
}

func TestCreditFileAPI(t *testing.T) {
	for name, open := range map[string]func(t *testing.T) store.Store{
		"memory": func(t *testing.T) store.Store { return memStore(t) },
		"neo4j":  func(t *testing.T) store.Store { return neo4jtest.Open(t) },
	} {
		t.Run(name, func(t *testing.T) { testCreditFileAPI(t, creditFileAPI(t, open(t))) })
	}
}

func testCreditFileAPI(t *testing.T, sc *secured) {
	expect := func(role auth.Role, method, url, body string, code int, has ...string) []byte {
		t.Helper()
		got, _, b := sc.send(t, role, method, url, body)
		if got != code {
			t.Fatalf("%s %s %s: %d %s, want %d", role, method, url, got, b, code)
		}
		for _, h := range has {
			if !strings.Contains(string(b), h) {
				t.Errorf("%s %s: %s lacks %q", method, url, b, h)
			}
		}
		return b
	}
	// Positive record only: an incentive, nothing against it.
	if r := sc.check(t, storetest.A, ""); r.Verdict != "clear" || !r.Incentives {
		t.Errorf("A with a red list: %s incentives=%v", r.Verdict, r.Incentives)
	}
	expect(auth.Dashboard, "GET", "/api/v1/enterprises/"+storetest.A, "", 200, `"polarity":"positive"`)

	// An objection: marked while open, then upheld and withdrawn.
	b := expect(auth.Inspector, "POST", "/api/v1/records/r4/objections", `{"reason":"处罚决定已被复议撤销","attachments":["复议决定书 沪市监复〔2026〕3号"]}`, 201, `"status":"open"`)
	var obj store.Objection
	_ = json.Unmarshal(b, &obj)
	r := sc.check(t, storetest.G, "")
	if r.Verdict != "prohibited" || r.Measures[0].UnderObjection == nil || r.Measures[0].UnderObjection.ID != obj.ID {
		t.Errorf("G under objection: %s %+v", r.Verdict, r.Measures)
	}
	expect(auth.Inspector, "GET", "/api/v1/enterprises/"+storetest.G, "", 200, `"under_objection":{"id":"`+obj.ID, `"reason":"处罚决定已被复议撤销"`)
	expect(auth.Inspector, "POST", "/api/v1/records/r4/objections", `{"reason":"again"}`, 409, "open objection")
	expect(auth.Inspector, "POST", "/api/v1/objections/"+obj.ID+"/decision", `{"decision":"upheld","outcome":"withdrawn","note":"复议撤销"}`, 200,
		`"status":"upheld"`, `"decided_by":"`+sc.ids[auth.Inspector])
	if r := sc.check(t, storetest.G, ""); r.Verdict != "clear" {
		t.Errorf("G after the withdrawal: %s", r.Verdict)
	}
	if r := sc.check(t, storetest.G, "2026-05-31"); r.Verdict != "prohibited" {
		t.Errorf("G as of the day before the decision: %s", r.Verdict)
	}
	expect(auth.Inspector, "POST", "/api/v1/objections/"+obj.ID+"/decision", `{"decision":"rejected"}`, 409, "decided already")
	expect(auth.Checker, "GET", "/api/v1/records/r4", "", 200, `"reason":"withdrawn"`, `"counts":false`, `"outcome":"withdrawn"`)
	if got := sc.public(t, storetest.G); strings.Contains(got, "serious_violation") {
		t.Errorf("the public page shows a withdrawn record: %s", got)
	}

	// A repair of the controlling shareholder's record, from 2026-05-01.
	expect(auth.Inspector, "POST", "/api/v1/records/r-f/repair", `{"date":"2026-05-01","basis":"已履行法定义务并完成信用修复"}`, 201, `"record_id":"r-f"`)
	if r := sc.check(t, storetest.B, ""); r.Verdict != "clear" {
		t.Errorf("B after its shareholder's repair: %s", r.Verdict)
	}
	if r := sc.check(t, storetest.B, "2026-04-30"); r.Verdict != "strict_review" {
		t.Errorf("B before the repair: %s", r.Verdict)
	}
	expect(auth.Inspector, "POST", "/api/v1/records/r-f/repair", `{"basis":"again"}`, 409, "repaired already")

	// A commitment breached by a record decided inside its window.
	expect(auth.Inspector, "POST", "/api/v1/commitments", `{"subject":"`+storetest.C+`","scenario":"bidding","text":"依法诚信经营","date":"2024-01-01","valid_until":"2025-12-31"}`, 201, `"subject":"enterprise:`+storetest.C)
	expect(auth.Checker, "GET", "/api/v1/enterprises/"+storetest.C+"/commitments", "", 200, `"breached":true`, `"breached_by":["r1"]`)
	if r := sc.check(t, storetest.C, ""); len(r.Commitments) != 1 || !r.Commitments[0].Breached {
		t.Errorf("C's check: commitments %+v", r.Commitments)
	}

	// Bad input: 4xx saying what to change.
	for _, tc := range []struct {
		role              auth.Role
		method, url, body string
		code              int
		says              string
	}{
		{auth.Inspector, "POST", "/api/v1/commitments", `{"subject":"` + storetest.C + `","scenario":"biding","text":"x","date":"2024-01-01","valid_until":"2025-01-01"}`, 400, "bidding"},
		{auth.Inspector, "POST", "/api/v1/commitments", `{"subject":"` + storetest.C + `","scenario":"bidding","text":"x","date":"2024-01-01","valid_until":"2023-01-01"}`, 400, "before date"},
		{auth.Inspector, "POST", "/api/v1/commitments", `{"subject":"` + storetest.C + `","scenario":"bidding","date":"2024-01-01","valid_until":"2025-01-01"}`, 400, "text: missing"},
		{auth.Inspector, "POST", "/api/v1/commitments", `{"subject":"` + storetest.C + `","scenario":"bidding","text":"x","date":"1/1/2024","valid_until":"2025-01-01"}`, 400, "YYYY-MM-DD"},
		{auth.Inspector, "POST", "/api/v1/records/r1/objections", `{"attachments":[]}`, 400, "reason: missing"},
		{auth.Inspector, "POST", "/api/v1/records/nope/objections", `{"reason":"x"}`, 404, "no such record"},
		{auth.Inspector, "POST", "/api/v1/objections/obj_x/decision", `{"decision":"maybe"}`, 400, "upheld or rejected"},
		{auth.Inspector, "POST", "/api/v1/objections/obj_x/decision", `{"decision":"upheld","outcome":"corrected"}`, 400, "corrected severity"},
		{auth.Inspector, "POST", "/api/v1/objections/obj_x/decision", `{"decision":"rejected"}`, 404, ""},
		{auth.Inspector, "POST", "/api/v1/records/r1/repair", `{"date":"2024-01-01","basis":"x"}`, 400, "before the record's decision"},
		{auth.Inspector, "POST", "/api/v1/records/r1/repair", `{"date":"2025-01-01"}`, 400, "basis: missing"},
		{auth.Checker, "POST", "/api/v1/records/r1/objections", `{"reason":"x"}`, 403, ""},
		{auth.Dashboard, "GET", "/api/v1/records/r1", "", 403, ""},
		{auth.Inspector, "POST", "/api/v1/credit-checks:simulate", `{"grades":{"b":0.1,"c":0.2,"d":0.3}}`, 403, ""},
	} {
		expect(tc.role, tc.method, tc.url, tc.body, tc.code, tc.says)
	}

	// Every change was audited with the entities it touched.
	entries, err := sc.s.Audit(context.Background(), store.AuditQuery{Route: "/api/v1/records/:id/objections", Limit: 100})
	filed := false
	for _, e := range entries {
		filed = filed || (e.Status == 201 && strings.Join(e.Entities, ",") == "enterprise:"+storetest.G+",record:r4")
	}
	if err != nil || !filed {
		t.Errorf("audit of the objection: %+v %v", entries, err)
	}
}

// public fetches the public page of uscc without a key.
func (sc *secured) public(t *testing.T, uscc string) string {
	t.Helper()
	rec := httptest.NewRecorder()
	sc.h.ServeHTTP(rec, httptest.NewRequest("GET", "/public/v1/enterprises/"+uscc, nil))
	b, _ := io.ReadAll(rec.Body)
	if rec.Code != 200 {
		t.Fatalf("public page of %s: %d %s", uscc, rec.Code, b)
	}
	return string(b)
}

// TestPublicPage: no key, only the public kinds in force, nothing of
// persons, scores or networks, and 429 past the per-address limit.
func TestPublicPage(t *testing.T) {
	sc := creditFileAPI(t, memStore(t))
	// D: revoked, legal representative 王芳 (a dishonest debtor, r3), an
	// abnormal-operations record removed in 2023 (r2); G: serious violation.
	body := sc.public(t, storetest.G)
	for _, want := range []string{`"name":"上海浦东星河物流有限公司"`, `"kind":"serious_violation"`, `"zh":"严重违法失信名单"`, `"under_objection":false`} {
		if !strings.Contains(body, want) {
			t.Errorf("G's public page lacks %s: %s", want, body)
		}
	}
	body = sc.public(t, storetest.D)
	for _, leak := range []string{"王芳", "张伟", storetest.P3, "dishonest_debtor", "abnormal_operations", "score", "risk", "grade", "network", "r3"} {
		if strings.Contains(body, leak) {
			t.Errorf("D's public page shows %q: %s", leak, body)
		}
	}
	sc.public(t, storetest.A) // the third
	rec := httptest.NewRecorder()
	sc.h.ServeHTTP(rec, httptest.NewRequest("GET", "/public/v1/enterprises/"+storetest.A, nil))
	if rec.Code != 429 || rec.Header().Get("Retry-After") == "" {
		t.Errorf("the 4th request in a minute: %d, want 429 with Retry-After", rec.Code)
	}
	// Another client address has its own budget.
	other := func(path string) int {
		req := httptest.NewRequest("GET", path, nil)
		req.RemoteAddr = "192.0.2.7:5555"
		rec := httptest.NewRecorder()
		sc.h.ServeHTTP(rec, req)
		return rec.Code
	}
	if code := other("/public/v1/enterprises/" + storetest.A); code != 200 {
		t.Errorf("another address: %d", code)
	}
	if code := other("/public/v1/enterprises/91440300XXXXXXXXXX"); code != 400 {
		t.Errorf("a malformed code: %d, want 400", code)
	}
	if code := other("/public/v1/enterprises/911101083180987654"); code != 404 && code != 400 {
		t.Errorf("an unknown code: %d, want 404", code)
	}
}

// TestSimulateAPI: an admin's candidate catalogue answers the changes
// without storing a check; a broken one is a 400 naming the line.
func TestSimulateAPI(t *testing.T) {
	sc := creditFileAPI(t, memStore(t))
	raw, err := os.ReadFile("../credit/measures.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// Bar the related parties' records instead of a strict review: B (F is
	// its controlling shareholder) changes in every enterprise scenario.
	cand := strings.Replace(string(raw), "    measure: strict_review\n    when: {kinds: [serious_violation, blacklist, dishonest_debtor]}\n    via: [principal_officer",
		"    measure: prohibit\n    when: {kinds: [serious_violation, blacklist, dishonest_debtor]}\n    via: [principal_officer", 1)
	if cand == string(raw) {
		t.Fatal("the candidate is the current catalogue")
	}
	body, _ := json.Marshal(map[string]any{"catalogue": cand})
	code, _, b := sc.send(t, auth.Admin, "POST", "/api/v1/credit-checks:simulate", string(body))
	if code != 200 {
		t.Fatalf("%d %s", code, b)
	}
	var v simulationView
	if err := json.Unmarshal(b, &v); err != nil || v.Catalogue == nil {
		t.Fatal(err, string(b))
	}
	if v.Catalogue.Changes == 0 || !strings.Contains(string(b), `"moves":{"strict_review→prohibited"`) || !strings.Contains(string(b), storetest.B) {
		t.Errorf("simulation: %s", b)
	}
	if n, _ := sc.s.CheckCounts(context.Background(), store.CheckQuery{}); len(n) != 0 {
		t.Errorf("a simulation stored checks: %v", n)
	}
	bad, _ := json.Marshal(map[string]any{"catalogue": strings.Replace(string(raw), "measure: prohibit", "measure: ban", 1)})
	code, _, b = sc.send(t, auth.Admin, "POST", "/api/v1/credit-checks:simulate", string(bad))
	if code != 400 || !strings.Contains(string(b), `unknown measure \"ban\"`) || !strings.Contains(string(b), "catalogue:") {
		t.Errorf("a broken catalogue: %d %s", code, b)
	}
	code, _, b = sc.send(t, auth.Admin, "POST", "/api/v1/credit-checks:simulate", `{"grades":{"b":0.1,"c":0.2,"d":0.3}}`)
	if code != 409 || !strings.Contains(string(b), "run the engine") {
		t.Errorf("grades without an engine result: %d %s", code, b)
	}
	code, _, _ = sc.send(t, auth.Admin, "POST", "/api/v1/credit-checks:simulate", `{}`)
	if code != 400 {
		t.Errorf("neither catalogue nor grades: %d", code)
	}
}

// TestPersonCommitments: an appointee commits by name and identity number
// (hashed on arrival, never echoed); the commitment is breached by the
// person's own record decided inside its window, in the person's list and
// in the person's appointment check; persons' lists are for inspectors.
func TestPersonCommitments(t *testing.T) {
	sc, _, pid := newCreditAPI(t)
	id := validIDNumber(t)
	code, _, b := sc.send(t, auth.Inspector, "POST", "/api/v1/commitments",
		`{"subject":{"name":"赵敏","id_number":"`+id+`"},"scenario":"appointment","text":"如实申报并守信履职","date":"2024-06-01","valid_until":"2025-12-31"}`)
	if code != 201 || !strings.Contains(string(b), `"subject":"person:`+pid+`"`) || strings.Contains(string(b), id) {
		t.Fatalf("person commitment: %d %s", code, b)
	}
	code, _, b = sc.send(t, auth.Inspector, "GET", "/api/v1/persons/"+pid+"/commitments", "")
	if code != 200 || !strings.Contains(string(b), `"breached":true`) || !strings.Contains(string(b), `"breached_by":["r-pid"]`) {
		t.Errorf("person's commitments: %d %s", code, b)
	}
	code, _, b = sc.send(t, auth.Checker, "POST", "/api/v1/credit-checks", `{"subject":{"name":"赵敏","id_number":"`+id+`"},"scenario":"appointment"}`)
	var ans credit.Answer
	if code != 200 || json.Unmarshal(b, &ans) != nil || len(ans.Result.Commitments) != 1 || !ans.Result.Commitments[0].Breached {
		t.Errorf("appointee's check: %d %s", code, b)
	}
	// Before the record's decision the commitment stands unbroken.
	code, _, b = sc.send(t, auth.Inspector, "GET", "/api/v1/persons/"+pid+"/commitments?as_of=2024-12-31", "")
	if code != 200 || !strings.Contains(string(b), `"breached":false`) {
		t.Errorf("as of 2024-12-31: %d %s", code, b)
	}
	for _, tc := range []struct {
		role       auth.Role
		method     string
		url, body  string
		code       int
		says       string
		notRepeats string
	}{
		{auth.Inspector, "POST", "/api/v1/commitments", `{"subject":{"name":"赵敏","id_number":"` + id[:17] + `X"},"scenario":"appointment","text":"x","date":"2024-01-01","valid_until":"2025-01-01"}`, 400, "subject.id_number", id[:17] + "X"},
		{auth.Inspector, "POST", "/api/v1/commitments", `{"subject":{"id_number":"` + id + `"},"scenario":"appointment","text":"x","date":"2024-01-01","valid_until":"2025-01-01"}`, 400, "subject.name", id},
		{auth.Inspector, "POST", "/api/v1/commitments", `{"scenario":"appointment","text":"x","date":"2024-01-01","valid_until":"2025-01-01"}`, 400, "subject: missing", ""},
		{auth.Inspector, "POST", "/api/v1/commitments", `{"subject":"91110000000000000X","scenario":"bidding","text":"x","date":"2024-01-01","valid_until":"2025-01-01"}`, 400, "", ""},
		{auth.Checker, "GET", "/api/v1/persons/" + pid + "/commitments", "", 403, "", ""},
		{auth.Dashboard, "GET", "/api/v1/persons/" + pid + "/commitments", "", 403, "", ""},
		{auth.Inspector, "GET", "/api/v1/persons/" + id + "/commitments", "", 400, "pid", id},
	} {
		code, _, b := sc.send(t, tc.role, tc.method, tc.url, tc.body)
		if code != tc.code || !strings.Contains(string(b), tc.says) || (tc.notRepeats != "" && strings.Contains(string(b), tc.notRepeats)) {
			t.Errorf("%s %s %s: %d %s, want %d saying %q", tc.role, tc.method, tc.body, code, b, tc.code, tc.says)
		}
	}
}
