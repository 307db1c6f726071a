package server

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"riskgraph/auth"
	"riskgraph/match"
	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/storetest"
)

func candidates(t *testing.T, body map[string]any, i int) []map[string]any {
	t.Helper()
	rs, _ := body["results"].([]any)
	if i >= len(rs) {
		t.Fatalf("no result %d in %v", i, body)
	}
	var out []map[string]any
	for _, c := range rs[i].(map[string]any)["candidates"].([]any) {
		out = append(out, c.(map[string]any))
	}
	return out
}

func TestMatchEndpoint(t *testing.T) {
	sc := newSecured(t, memStore(t), Options{})
	body := `{"queries": [
		{"name": "深圳前海星河投資有限責任公司"},
		{"name": "前海星河投资有限公司杭州分公司"},
		{"uscc": "` + strings.ToLower(storetest.C) + `", "name": "别的名字"},
		{"phone": "+86 755 2878 0808"},
		{"name": "星河投资", "legal_rep": "张伟"},
		{"name": "harbour holdings limited"}
	], "limit": 3}`
	for _, role := range []auth.Role{auth.Dashboard, auth.Inspector} {
		code, got, _ := sc.do(t, role, "POST", "/api/v1/match", body)
		if code != 200 {
			t.Fatalf("%s: %d %v", role, code, got)
		}
		if got["threshold"] != 0.9 {
			t.Errorf("threshold %v", got["threshold"])
		}
		for i, want := range []struct {
			key   string
			match bool
		}{{storetest.B, true}, {storetest.BR, true}, {storetest.C, true}, {storetest.A, false}, {storetest.B, false}, {storetest.F, true}} {
			cs := candidates(t, got, i)
			if len(cs) == 0 || cs[0]["key"] != want.key || cs[0]["match"] != want.match {
				t.Errorf("%s: query %d: %v, want top %s match %v", role, i, cs, want.key, want.match)
			}
			if len(cs) > 3 {
				t.Errorf("query %d: %d candidates over the limit 3", i, len(cs))
			}
		}
		// Per-feature evidence: the code decided query 2; the legal rep ranked
		// the partial name 星河投资 first in query 4, below the threshold.
		if f := candidates(t, got, 2)[0]["features"].(map[string]any); f["uscc"] != 1.0 {
			t.Errorf("uscc evidence: %v", f)
		}
		if f := candidates(t, got, 4)[0]["features"].(map[string]any); f["legal_rep"] != 1.0 {
			t.Errorf("legal_rep evidence: %v", f)
		}
	}
	if code, _, _ := sc.do(t, auth.Writer, "POST", "/api/v1/match", body); code != 403 {
		t.Errorf("writer: %d, want 403", code)
	}
}

func TestMatchBadRequests(t *testing.T) {
	sc := newSecured(t, memStore(t), Options{Hasher: testHasher(t)})
	many := strings.Repeat(`{"name":"星河"},`, maxMatchQueries)
	for _, c := range []struct{ name, body, want string }{
		{"empty", `{"queries": []}`, "give 1 to 1000 queries (got 0)"},
		{"missing", `{}`, "give 1 to 1000 queries (got 0)"},
		{"1001", `{"queries": [` + many + `{"name":"星河"}]}`, "give 1 to 1000 queries (got 1001)"},
		{"no usable feature", `{"queries": [{"name":"星河"}, {"address": "深圳市", "legal_rep": "张伟"}]}`, "queries[1]: give at least one of name, uscc"},
		{"bad code only", `{"queries": [{"uscc": "914403001922038217"}]}`, "queries[0]: give at least one of"},
		{"kind", `{"queries": [{"name": "张伟", "kind": "company"}]}`, `queries[0]: kind: use "enterprise" (the default) or "person"`},
		{"person without name or id", `{"queries": [{"kind": "person", "enterprise": "深圳市前海星河投资有限公司"}]}`, `queries[0]: kind "person": give name or id_number`},
		{"id_number on an enterprise query", `{"queries": [{"name": "星河", "id_number": "11010519491231002X"}]}`, `queries[0]: id_number and enterprise belong to a person query`},
		{"id_number too short", `{"queries": [{"name":"星河"}, {"kind": "person", "name": "张伟", "id_number": "1101051949123100"}]}`, "queries[1]: id_number: has 16 characters, a resident identity number has 18; give the 18-character number"},
		{"id_number check character", `{"queries": [{"kind": "person", "id_number": "110105194912310021"}]}`, "queries[0]: id_number: the check character (position 18) should be X; correct the mistyped digit"},
		{"id_number 15 digits", `{"queries": [{"kind": "person", "id_number": "110105491231002"}]}`, "queries[0]: id_number: is a 15-digit number of the first generation; convert it to 18 digits"},
		{"limit", `{"queries": [{"name":"星河"}], "limit": 51}`, "limit: want 1 to 50"},
		{"unknown field", `{"queries": [{"nme":"星河"}]}`, "unknown field"},
	} {
		code, got, _ := sc.do(t, auth.Inspector, "POST", "/api/v1/match", c.body)
		if code != 400 || !strings.Contains(errMessage(got), c.want) {
			t.Errorf("%s: %d %q, want 400 containing %q", c.name, code, errMessage(got), c.want)
		}
		// An identity number never comes back, even in a refusal.
		for _, id := range []string{"1101051949123100", "110105194912310021", "110105491231002"} {
			if strings.Contains(errMessage(got), id) {
				t.Errorf("%s: the answer repeats the identity number: %q", c.name, errMessage(got))
			}
		}
	}
	// 1 000 queries are accepted.
	code, got, _ := sc.do(t, auth.Inspector, "POST", "/api/v1/match", `{"queries": [`+strings.TrimSuffix(many, ",")+`]}`)
	if code != 200 || len(got["results"].([]any)) != maxMatchQueries {
		t.Errorf("1000 queries: %d", code)
	}
}

// TestMatchIndexFollowsWrites: the server's own writes are applied to the
// index (no rebuild; the next query sees them), and a write that did not go
// through this server (another writer on the same store) makes the next
// query rebuild it.
func TestMatchIndexFollowsWrites(t *testing.T) {
	s := memStore(t)
	sc := newSecured(t, s, Options{})
	q := `{"queries": [{"name": "吉安市汇骏实业有限公司"}]}`
	_, got, _ := sc.do(t, auth.Inspector, "POST", "/api/v1/match", q)
	gen := got["generation"]
	for _, c := range candidates(t, got, 0) {
		if c["match"] == true {
			t.Fatalf("match before the enterprise exists: %v", c)
		}
	}
	if b := sc.api.matcher.Builds(); b != 1 {
		t.Fatalf("%d builds after the first query, want 1", b)
	}
	_, again, _ := sc.do(t, auth.Inspector, "POST", "/api/v1/match", q)
	if sc.api.matcher.Builds() != 1 || again["generation"] != gen {
		t.Error("index rebuilt without a write")
	}
	// A write through the server (POST /batches): applied, not rebuilt.
	u, err := models.NewUSCC('9', '1', "360802", "MA35ABCD1")
	if err != nil {
		t.Fatal(err)
	}
	batch := fmt.Sprintf(`{"enterprises": [{"key": %q, "uscc": %q, "name": "吉安市汇骏实业有限公司", "region": "360802"}]}`, u, u)
	if code, body, _ := sc.do(t, auth.Writer, "POST", "/api/v1/batches", batch); code != 200 {
		t.Fatalf("POST /batches: %d %v", code, body)
	}
	_, after, _ := sc.do(t, auth.Inspector, "POST", "/api/v1/match", q)
	cs := candidates(t, after, 0)
	if after["generation"] == gen || len(cs) == 0 || cs[0]["key"] != string(u) || cs[0]["match"] != true {
		t.Errorf("after the write: generation %v (was %v), candidates %v", after["generation"], gen, cs)
	}
	if b := sc.api.matcher.Builds(); b != 1 {
		t.Errorf("%d builds after the server's own write, want 1 (applied, not rebuilt)", b)
	}
	if g, _ := s.Generation(context.Background()); after["generation"] != float64(g) {
		t.Errorf("answer generation %v, store %d", after["generation"], g)
	}
	// A write that bypasses the server: the next query rebuilds.
	v, _ := models.NewUSCC('9', '1', "360102", "MA35ABCD2")
	if err := s.WriteBatch(context.Background(), &store.Batch{Enterprises: []models.Enterprise{{Key: string(v), USCC: string(v), Name: "南昌市汇骏实业有限公司", Region: "360102"}}}); err != nil {
		t.Fatal(err)
	}
	_, foreign, _ := sc.do(t, auth.Inspector, "POST", "/api/v1/match", `{"queries": [{"name": "南昌市汇骏实业有限公司"}]}`)
	if cs := candidates(t, foreign, 0); len(cs) == 0 || cs[0]["key"] != string(v) || cs[0]["match"] != true {
		t.Errorf("after a foreign write: %v", cs)
	}
	if b := sc.api.matcher.Builds(); b != 2 {
		t.Errorf("%d builds after a foreign write, want 2", b)
	}
}

func testHasher(t *testing.T) *models.PIDHasher {
	t.Helper()
	h, err := models.NewPIDHasher([]byte("match-test-pid-key-0123"))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestMatchPersons: person queries by name, identity number (hashed with
// the server's pid key, never echoed) and enterprise; refused for the
// dashboard role, whose answers mask persons; audited by pid when matched.
func TestMatchPersons(t *testing.T) {
	s := memStore(t)
	h := testHasher(t)
	const id = "11010519491231002X"
	pid := h.FromIDNumber(id)
	sc := newSecured(t, s, Options{Hasher: h})
	// Written through the server, so the live index applies it.
	batch := fmt.Sprintf(`{"persons": [{"pid": %q, "name": "张伟"}], "roles": [{"person": %q, "enterprise": %q, "kind": "officer", "title": "director"}]}`, pid, pid, storetest.G)
	if code, body, _ := sc.do(t, auth.Writer, "POST", "/api/v1/batches", batch); code != 200 {
		t.Fatalf("POST /batches: %d %v", code, body)
	}
	body := `{"queries": [
		{"kind": "person", "id_number": "110105194912310021x"},
		{"kind": "person", "id_number": " 11010519491231002x "},
		{"kind": "person", "name": "张伟"},
		{"kind": "person", "name": "張偉", "enterprise": "深圳市前海星河投资有限公司"},
		{"kind": "person", "name": "张伟", "enterprise": "` + storetest.G + `"}
	]}`
	code, got, _ := sc.do(t, auth.Inspector, "POST", "/api/v1/match", body)
	if code != 400 || !strings.Contains(errMessage(got), "queries[0]: id_number: has 19 characters") {
		t.Errorf("19 characters: %d %v", code, got)
	}
	body = strings.Replace(body, `{"kind": "person", "id_number": "110105194912310021x"},`, "", 1)
	code, got, _ = sc.do(t, auth.Inspector, "POST", "/api/v1/match", body)
	if code != 200 {
		t.Fatalf("%d %v", code, got)
	}
	if raw := fmt.Sprint(got); strings.Contains(raw, "11010519491231002") {
		t.Error("the answer holds the identity number")
	}
	for i, want := range []struct {
		key   string
		match bool
		tie   bool
	}{
		{pid, true, false},          // the identity number decides
		{"", false, true},           // two 张伟: listed, neither a match
		{storetest.P1, true, false}, // traditional name + the enterprise P1 represents
		{pid, true, false},          // name + the enterprise the director serves
	} {
		cs := candidates(t, got, i)
		if want.tie {
			if len(cs) < 2 || cs[0]["score"] != cs[1]["score"] || cs[0]["match"] == true {
				t.Errorf("query %d: %v, want a tie without match", i, cs)
			}
			continue
		}
		if len(cs) == 0 || cs[0]["kind"] != "person" || cs[0]["key"] != want.key || cs[0]["match"] != want.match || cs[0]["name"] != "张伟" {
			t.Errorf("query %d: %v, want top %s match %v", i, cs, want.key, want.match)
		}
	}
	if f := candidates(t, got, 0)[0]["features"].(map[string]any); f["id_number"] != 1.0 {
		t.Errorf("id_number evidence: %v", f)
	}
	// The audit names the matched persons by pid.
	entries, err := s.Audit(context.Background(), store.AuditQuery{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range entries {
		if e.Route == "/api/v1/match" && slices.Contains(e.Entities, "person:"+pid) {
			found = true
		}
		if strings.Contains(fmt.Sprint(e), "11010519491231002") {
			t.Errorf("the audit holds the identity number: %+v", e)
		}
	}
	if !found {
		t.Errorf("no audit entry names person:%s: %+v", pid, entries)
	}
	// The dashboard role masks persons: it cannot screen them at all.
	code, got, _ = sc.do(t, auth.Dashboard, "POST", "/api/v1/match", `{"queries": [{"name": "星河投资"}, {"kind": "person", "name": "张伟"}]}`)
	if code != 403 || !strings.Contains(errMessage(got), `queries[1]: kind "person": this role sees persons' names masked`) {
		t.Errorf("dashboard person query: %d %v", code, got)
	}
	// And if a person candidate ever reached it, masking hides name and pid.
	view := matchView{Results: []matchResult{{Candidates: []match.Candidate{{Kind: match.KindPerson, Key: pid, Name: "张伟", Score: 1, Match: true}}}}}
	masked := maskPersons(view).(matchView)
	if c := masked.Results[0].Candidates[0]; c.Name != "张*" || c.Key != "" || c.Score != 1 {
		t.Errorf("masked person candidate: %+v", c)
	}
	if view.Results[0].Candidates[0].Name != "张伟" {
		t.Error("masking changed the original")
	}
}
