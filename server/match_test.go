package server

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"riskgraph/auth"
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
	sc := newSecured(t, memStore(t), Options{})
	many := strings.Repeat(`{"name":"星河"},`, maxMatchQueries)
	for _, c := range []struct{ name, body, want string }{
		{"empty", `{"queries": []}`, "give 1 to 1000 queries (got 0)"},
		{"missing", `{}`, "give 1 to 1000 queries (got 0)"},
		{"1001", `{"queries": [` + many + `{"name":"星河"}]}`, "give 1 to 1000 queries (got 1001)"},
		{"no usable feature", `{"queries": [{"name":"星河"}, {"address": "深圳市", "legal_rep": "张伟"}]}`, "queries[1]: give at least one of name, uscc"},
		{"bad code only", `{"queries": [{"uscc": "914403001922038217"}]}`, "queries[0]: give at least one of"},
		{"person", `{"queries": [{"name": "张伟", "kind": "person"}]}`, `queries[0]: kind: only "enterprise"`},
		{"limit", `{"queries": [{"name":"星河"}], "limit": 51}`, "limit: want 1 to 50"},
		{"unknown field", `{"queries": [{"nme":"星河"}]}`, "unknown field"},
	} {
		code, got, _ := sc.do(t, auth.Inspector, "POST", "/api/v1/match", c.body)
		if code != 400 || !strings.Contains(errMessage(got), c.want) {
			t.Errorf("%s: %d %q, want 400 containing %q", c.name, code, errMessage(got), c.want)
		}
	}
	// 1 000 queries are accepted.
	code, got, _ := sc.do(t, auth.Inspector, "POST", "/api/v1/match", `{"queries": [`+strings.TrimSuffix(many, ",")+`]}`)
	if code != 200 || len(got["results"].([]any)) != maxMatchQueries {
		t.Errorf("1000 queries: %d", code)
	}
}

// TestMatchIndexFollowsWrites: the index is rebuilt when the data
// generation changes, and reused while it does not.
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
	ix := sc.api.matcher.ix
	_, again, _ := sc.do(t, auth.Inspector, "POST", "/api/v1/match", q)
	if sc.api.matcher.ix != ix || again["generation"] != gen {
		t.Error("index rebuilt without a write")
	}
	u, err := models.NewUSCC('9', '1', "360802", "MA35ABCD1")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WriteBatch(context.Background(), &store.Batch{Enterprises: []models.Enterprise{{Key: string(u), USCC: string(u), Name: "吉安市汇骏实业有限公司", Region: "360802"}}}); err != nil {
		t.Fatal(err)
	}
	_, after, _ := sc.do(t, auth.Inspector, "POST", "/api/v1/match", q)
	cs := candidates(t, after, 0)
	if after["generation"] == gen || len(cs) == 0 || cs[0]["key"] != string(u) || cs[0]["match"] != true {
		t.Errorf("after the write: generation %v (was %v), candidates %v", after["generation"], gen, cs)
	}
	if strings.Contains(fmt.Sprint(after), "360802") && !strings.Contains(string(u), "360802") {
		t.Error("unexpected")
	}
}
