package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"riskgraph/auth"
	"riskgraph/engine"
	"riskgraph/models"
	"riskgraph/store"
)

// raw sends a request with the role's key and returns status and body bytes.
func (sc *secured) raw(t *testing.T, role auth.Role, method, target, body string) (int, []byte) {
	t.Helper()
	var req *http.Request
	if body != "" {
		req = httptest.NewRequest(method, target, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	} else {
		req = httptest.NewRequest(method, target, nil)
	}
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+sc.keys[role])
	}
	rec := httptest.NewRecorder()
	sc.h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

// maskedWorld is a scored generated sample behind the API, with the
// persons' real names and the enterprises' names.
type maskedWorld struct {
	sc      *secured
	ss      *scoredSample
	persons []models.Person
	entName []string
}

func newMaskedWorld(t *testing.T) *maskedWorld {
	t.Helper()
	ss := newScoredSample(t, 400, "run-mask")
	res, err := engine.Run(context.Background(), ss.s, engine.Options{Params: engine.DefaultParams(), Today: models.NewDate(2026, 6, 30)})
	if err != nil {
		t.Fatal(err)
	}
	var latest engine.Latest
	latest.Set(res)
	w := &maskedWorld{ss: ss}
	_ = ss.s.Scan(context.Background(), 5000, func(b *store.Batch) error {
		for _, p := range b.Persons {
			if utf8.RuneCountInString(p.Name) >= 2 {
				w.persons = append(w.persons, p)
			}
		}
		for _, e := range b.Enterprises {
			w.entName = append(w.entName, strings.ToLower(e.Name))
		}
		return nil
	})
	if len(w.persons) < 50 {
		t.Fatalf("only %d named persons in the sample", len(w.persons))
	}
	w.sc = newSecured(t, ss.s, Options{Engine: &latest, RateLimit: -1})
	return w
}

// inEnterpriseName reports whether s is part of any enterprise's name
// (then enterprise hits legitimately depend on it).
func (w *maskedWorld) inEnterpriseName(s string) bool {
	s = strings.ToLower(s)
	for _, n := range w.entName {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

// TestDashboardSearchIsNoNameOracle: a dashboard caller who guesses a
// masked person's name gets exactly the same answer for the right guess
// as for a wrong one of the same shape (same first character, same
// length): no score, no membership, nothing derived from the real name.
// The inspector's answers do differ (the test can see a leak).
func TestDashboardSearchIsNoNameOracle(t *testing.T) {
	w := newMaskedWorld(t)
	sc := w.sc
	tried := 0
	for _, p := range w.persons {
		name := []rune(p.Name)
		if w.inEnterpriseName(p.Name) || w.inEnterpriseName(string(name[:1])+"〇") {
			continue
		}
		wrong := string(name[0]) + strings.Repeat("〇", len(name)-1) // no real name has 〇
		prefix := string(name[:len(name)-1])
		if len(name) < 3 || w.inEnterpriseName(prefix) {
			prefix = ""
		}
		answers := map[string][]byte{}
		for _, q := range []string{p.Name, wrong, prefix} {
			if q == "" {
				continue
			}
			code, body := sc.raw(t, auth.Dashboard, "GET", "/api/v1/search?limit=200&q="+url.QueryEscape(q), "")
			if code != 200 {
				t.Fatalf("dashboard search %q: %d %s", q, code, body)
			}
			var m map[string]any
			if err := json.Unmarshal(body, &m); err != nil {
				t.Fatal(err)
			}
			delete(m, "q") // the query itself is echoed back
			answers[q], _ = json.Marshal(m)
			for _, h := range m["hits"].([]any) {
				if h.(map[string]any)["ref"].(map[string]any)["kind"] == "person" {
					t.Errorf("dashboard search %q lists a person: %v", q, h)
				}
			}
		}
		if !bytes.Equal(answers[p.Name], answers[wrong]) {
			t.Errorf("dashboard: the right name and a wrong guess answer differently:\n%s\n%s", answers[p.Name], answers[wrong])
		}
		if prefix != "" && !bytes.Equal(answers[p.Name], answers[prefix]) {
			t.Errorf("dashboard: the name and its prefix answer differently:\n%s\n%s", answers[p.Name], answers[prefix])
		}
		// Control: the inspector finds the person by the right name only.
		_, right := sc.raw(t, auth.Inspector, "GET", "/api/v1/search?limit=200&q="+url.QueryEscape(p.Name), "")
		_, guess := sc.raw(t, auth.Inspector, "GET", "/api/v1/search?limit=200&q="+url.QueryEscape(wrong), "")
		if !bytes.Contains(right, []byte(p.PID)) || bytes.Contains(guess, []byte(p.PID)) {
			t.Fatalf("inspector search for %q does not tell right from wrong: the test sees nothing", p.Name)
		}
		if tried++; tried == 20 {
			break
		}
	}
	if tried < 5 {
		t.Fatalf("only %d persons with names no enterprise name contains", tried)
	}
	// Enterprises are still found by dashboards, with their scores.
	e := w.ss.ents[0]
	code, body, _ := sc.do(t, auth.Dashboard, "GET", "/api/v1/search?q="+url.QueryEscape(e.Name), "")
	hits, _ := body["hits"].([]any)
	if code != 200 || len(hits) == 0 || hits[0].(map[string]any)["score"] != float64(1) {
		t.Errorf("dashboard search for enterprise %q: %d %v", e.Name, code, body)
	}
}

// TestDashboardAnswersHoldNoRealNames sends every route a dashboard may use
// (as the route table says) over a scored sample — profiles, records,
// batch, risk with its explanation, search, ranking, stats, flags, runs —
// and checks that no string in any answer is a person's real name, and that
// every person object's name is the one-star mask.
func TestDashboardAnswersHoldNoRealNames(t *testing.T) {
	w := newMaskedWorld(t)
	sc := w.sc
	real := map[string]bool{}
	for _, p := range w.persons {
		if auth.MaskName(p.Name) != p.Name {
			real[p.Name] = true
		}
	}
	// Enterprises whose answers involve persons: flagged ones (persons in
	// the evidence) and the first of the sample.
	var keys []string
	for _, e := range w.ss.ents {
		if len(e.Risk.Flags) > 0 || len(keys) < 10 {
			keys = append(keys, e.Key)
		}
		if len(keys) == 40 {
			break
		}
	}
	var searches []string
	for _, p := range w.persons[:20] {
		searches = append(searches, p.Name, string([]rune(p.Name)[:1]))
	}
	checked := map[string]int{}
	for _, r := range sc.api.routes() {
		if !slices.Contains(r.Roles, auth.Dashboard) {
			continue
		}
		var reqs [][2]string // target, body
		p := r.fullPath()
		switch {
		case strings.Contains(p, ":key"):
			for _, k := range keys {
				reqs = append(reqs, [2]string{strings.Replace(p, ":key", k, 1), ""})
			}
		case strings.HasSuffix(p, ":batch"):
			b, _ := json.Marshal(map[string]any{"keys": keys})
			reqs = append(reqs, [2]string{strings.ReplaceAll(p, `\:`, ":"), string(b)})
		case strings.HasSuffix(p, "/match"):
			// Persons' names as names and as legal representatives, and
			// the sample's enterprises: candidates must not carry them.
			var qs []map[string]string
			for _, q := range searches {
				qs = append(qs, map[string]string{"name": q, "legal_rep": q})
			}
			for _, e := range w.ss.ents[:20] {
				qs = append(qs, map[string]string{"name": e.Name, "legal_rep": w.persons[0].Name})
			}
			b, _ := json.Marshal(map[string]any{"queries": qs, "limit": 50})
			reqs = append(reqs, [2]string{p, string(b)})
		case strings.HasSuffix(p, "/search"):
			for _, q := range searches {
				reqs = append(reqs, [2]string{p + "?limit=200&q=" + url.QueryEscape(q), ""})
			}
		case strings.HasSuffix(p, "/ranking"), strings.HasSuffix(p, "/flags"):
			reqs = append(reqs, [2]string{p + "?limit=500", ""})
		case strings.HasSuffix(p, "/stats"):
			for _, by := range []string{"region", "city", "industry"} {
				reqs = append(reqs, [2]string{p + "?by=" + by, ""})
			}
		case strings.HasSuffix(p, "/runs/:id"):
			reqs = append(reqs, [2]string{strings.Replace(p, ":id", w.ss.run.ID, 1), ""})
		default:
			reqs = append(reqs, [2]string{p, ""})
		}
		for _, rq := range reqs {
			code, body := sc.raw(t, auth.Dashboard, r.Method, rq[0], rq[1])
			if code != 200 {
				t.Errorf("dashboard %s %s: %d %s", r.Method, rq[0], code, body)
				continue
			}
			var v any
			if err := json.Unmarshal(body, &v); err != nil {
				t.Fatalf("%s: %v", rq[0], err)
			}
			walkStrings(v, func(path, s string) {
				if real[s] && path != ".q" { // .q: the caller's own query, echoed
					t.Errorf("dashboard %s %s: %s is a person's real name %q", r.Method, rq[0], path, s)
				}
			})
			walkPersons(v, func(name string) {
				checked[r.Path]++
				if utf8.RuneCountInString(name) > 2 || !strings.HasSuffix(name, "*") {
					t.Errorf("dashboard %s %s: a person's name shown as %q, want the first character and one star", r.Method, rq[0], name)
				}
			})
		}
	}
	t.Logf("person objects seen per route: %v", checked)
	// The test must have seen masked persons somewhere, else it proves nothing.
	if checked["/enterprises/:key/risk"]+checked["/flags"] == 0 {
		t.Errorf("no person objects in any dashboard answer: %v", checked)
	}
}

func walkStrings(v any, f func(path, s string)) {
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case string:
			f(path, x)
		case map[string]any:
			for k, c := range x {
				walk(path+"."+k, c)
			}
		case []any:
			for _, c := range x {
				walk(path+"[]", c)
			}
		}
	}
	walk("", v)
}

// walkPersons calls f with the name of every object that describes a person.
func walkPersons(v any, f func(name string)) {
	switch x := v.(type) {
	case map[string]any:
		if isPerson(x) {
			if n, ok := x["name"].(string); ok && n != "" {
				f(n)
			}
		}
		for _, c := range x {
			walkPersons(c, f)
		}
	case []any:
		for _, c := range x {
			walkPersons(c, f)
		}
	}
}

// isPerson is the test's own guess, from the JSON alone, of whether an
// object describes a person: a "ref", "subject" or "holder" of kind
// person, an "id" starting with "person:", a "pid" field, or "kind":
// "person". It is independent of the typed masking it checks.
func isPerson(m map[string]any) bool {
	if _, ok := m["pid"]; ok {
		return true
	}
	if k, _ := m["kind"].(string); k == "person" {
		return true
	}
	for _, f := range []string{"ref", "subject", "holder"} {
		if r, ok := m[f].(map[string]any); ok {
			if k, _ := r["kind"].(string); k == "person" {
				return true
			}
		}
	}
	if id, _ := m["id"].(string); strings.HasPrefix(id, "person:") {
		return true
	}
	return false
}
