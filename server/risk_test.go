package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"riskgraph/auth"
	"riskgraph/engine"
	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/memory"
)

func riskFixture(t *testing.T, withEngine bool) http.Handler {
	t.Helper()
	ctx := context.Background()
	st, err := memory.Open(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := &store.Batch{
		Enterprises: []models.Enterprise{{Key: "src:t:A", Name: "A"}, {Key: "src:t:B", Name: "B"}, {Key: "src:t:C", Name: "C"}},
		Persons:     []models.Person{{PID: "0123456789abcdef0123456789abcdef", Name: "张三"}},
		Shareholdings: []models.Shareholding{
			{Holder: models.PersonRef("0123456789abcdef0123456789abcdef"), Enterprise: "src:t:A", Ratio: 0.8},
			{Holder: models.EnterpriseRef("src:t:A"), Enterprise: "src:t:B", Ratio: 0.6},
		},
		Records: []models.Record{{ID: "r1", Subject: models.EnterpriseRef("src:t:A"), Kind: models.RecordBlacklist, Severity: 0.9, Decided: models.NewDate(2026, 1, 1)}},
	}
	if err := st.WriteBatch(ctx, b); err != nil {
		t.Fatal(err)
	}
	var latest engine.Latest
	if withEngine {
		res, err := engine.Run(ctx, st, engine.Options{Params: engine.DefaultParams(), Today: models.NewDate(2026, 6, 30)})
		if err != nil {
			t.Fatal(err)
		}
		latest.Set(res)
	}
	return New(Options{Store: st, Engine: &latest, InsecureDev: true})
}

func getJSON(t *testing.T, h http.Handler, path string) (int, map[string]any) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	var body map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &body)
	return rec.Code, body
}

func TestRiskAndOwners(t *testing.T) {
	h := riskFixture(t, true)
	code, body := getJSON(t, h, "/api/v1/enterprises/src:t:B/risk")
	if code != 200 || body["score"].(float64) <= 0 || body["grade"] == "" {
		t.Fatalf("risk of B: %d %v", code, body)
	}
	contribs := body["contributions"].([]any)
	if len(contribs) != 1 || contribs[0].(map[string]any)["record"] != "r1" {
		t.Errorf("contributions %v", contribs)
	}
	if len(body["flags"].([]any)) != 1 { // blacklist proximity via A's majority holding
		t.Errorf("flags %v", body["flags"])
	}
	code, body = getJSON(t, h, "/api/v1/enterprises/src:t:B/owners")
	if code != 200 {
		t.Fatalf("owners of B: %d %v", code, body)
	}
	bos := body["beneficial_owners"].([]any)
	if len(bos) != 1 || bos[0].(map[string]any)["share"].(float64) < 0.479 || bos[0].(map[string]any)["name"] != "张三" {
		t.Errorf("beneficial owners %v", bos)
	}
	if ctrl, _ := body["actual_controller"].(map[string]any); ctrl == nil || len(ctrl["majority_chain"].([]any)) != 3 {
		t.Errorf("controller %v", body["actual_controller"])
	}
	if code, body = getJSON(t, h, "/api/v1/enterprises/src:t:C/owners"); code != 200 || body["actual_controller"] != nil {
		t.Errorf("owners of C: %d %v", code, body)
	}
	for path, want := range map[string]int{
		"/api/v1/enterprises/91440305MA5F000188/risk": 400, // bad check character
		"/api/v1/enterprises/src:t:Z/risk":            404,
		"/api/v1/enterprises/src:t:Z/owners":          404,
	} {
		if code, body := getJSON(t, h, path); code != want {
			t.Errorf("%s: %d %v, want %d", path, code, body, want)
		}
	}
	if code, _ := getJSON(t, riskFixture(t, false), "/api/v1/enterprises/src:t:B/risk"); code != 503 {
		t.Errorf("without a run: %d, want 503", code)
	}
}

// TestRiskAnswerAsBuilt: every /risk answer of a scored sample is, byte for
// byte, the view built from the store's enterprise and the result's
// explanation of its vertex — by key and by USCC — so that a change in how
// the handler reads or explains (the order, the concurrency, the encoder)
// cannot change an answer unnoticed.
func TestRiskAnswerAsBuilt(t *testing.T) {
	ss := newScoredSample(t, 300, "run-built")
	ctx := context.Background()
	res, err := engine.Run(ctx, ss.s, engine.Options{Params: engine.DefaultParams(), Today: models.NewDate(2026, 6, 30)})
	if err != nil {
		t.Fatal(err)
	}
	var latest engine.Latest
	latest.Set(res)
	sc := newSecured(t, ss.s, Options{Engine: &latest, RateLimit: -1, NearCache: -1})
	asked := 0
	for i, e := range ss.ents {
		if i%3 != 0 {
			continue
		}
		v, ok := res.Graph.Lookup(e.Ref())
		if !ok {
			t.Fatalf("%s is not in the result", e.Key)
		}
		ex := res.Explain(v)
		want, err := json.Marshal(riskView{Key: e.Key, Today: res.Today.Date().String(), Score: res.Score[v], Grade: res.Grade[v].String(),
			Intrinsic: res.Intrinsic.Risk[v], Flags: nonNil(res.FindingViews(v, 50)),
			Contributors: nonNil(res.View(ex, len(ex.Contributions))), Remainder: ex.Remainder, Unaccounted: ex.Unaccounted, Stored: e.Risk})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, '\n')
		paths := []string{e.Key}
		if e.USCC != "" && e.USCC != e.Key {
			paths = append(paths, e.USCC)
		}
		for _, k := range paths {
			code, got := sc.raw(t, auth.Inspector, "GET", "/api/v1/enterprises/"+k+"/risk", "")
			if code != 200 || string(got) != string(want) {
				t.Fatalf("/risk of %s: %d\n%s\nwant\n%s", k, code, got, want)
			}
			asked++
		}
	}
	if asked < 50 {
		t.Fatalf("only %d answers compared", asked)
	}
}
