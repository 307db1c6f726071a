package server

import (
	"context"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"riskgraph/auth"
	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/neo4j/neo4jtest"
	"riskgraph/store/storetest"
)

const (
	xrefX  = "src:tax:B-0001" // B under another data set's key
	xrefP9 = "9a1b2c3d4e5f60718293a4b5c6d7e8f9"
)

// xrefSecured is the secured fixture plus X (held by P9) and three pairs.
func xrefSecured(t *testing.T, s store.Store, opts Options) *secured {
	t.Helper()
	sc := newSecured(t, s, opts)
	ctx := context.Background()
	err := s.WriteBatch(ctx, &store.Batch{
		Enterprises:   []models.Enterprise{{Key: xrefX, Name: "深圳前海星河投资有限责任公司"}},
		Persons:       []models.Person{{PID: xrefP9, Name: "赵敏"}},
		Shareholdings: []models.Shareholding{{Holder: models.PersonRef(xrefP9), Enterprise: xrefX, Ratio: 0.3}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var ps []store.XrefPair
	for i, k := range [][2]string{{storetest.B, xrefX}, {storetest.A, storetest.G}, {storetest.C, storetest.D}} {
		a, b := min(k[0], k[1]), max(k[0], k[1])
		ps = append(ps, store.XrefPair{ID: store.XrefPairID(a, b), A: a, B: b, Score: 0.99 - float64(i)/100, Run: "xref-t",
			Evidence: map[string]float64{"name": 1, "phone": 1}, Found: time.Now()})
	}
	if _, err := s.AddXrefPairs(ctx, ps); err != nil {
		t.Fatal(err)
	}
	return sc
}

func xrefBackends() map[string]func(t *testing.T) store.Store {
	return map[string]func(t *testing.T) store.Store{
		"memory": func(t *testing.T) store.Store { return memStore(t) },
		"neo4j":  func(t *testing.T) store.Store { return neo4jtest.Open(t) },
	}
}

func nodeKeys(body map[string]any) []string {
	var ks []string
	nodes, _ := body["nodes"].([]any)
	for _, n := range nodes {
		ref, _ := n.(map[string]any)["ref"].(map[string]any)
		k, _ := ref["key"].(string)
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// TestXrefDecisionsAPI: an inspector lists pairs, confirms one (the network
// and paths then treat the two as one entity, the cached answer is not
// served again, the audit entry names both), meets 409 and 404, and undoes
// the decision.
func TestXrefDecisionsAPI(t *testing.T) {
	for name, open := range xrefBackends() {
		t.Run(name, func(t *testing.T) { testXrefDecisionsAPI(t, xrefSecured(t, open(t), Options{})) })
	}
}

func testXrefDecisionsAPI(t *testing.T, sc *secured) {
	id := store.XrefPairID(storetest.B, xrefX)
	code, body, _ := sc.do(t, auth.Inspector, "GET", "/api/v1/xref/pairs?status=candidate&limit=2", "")
	pairs, _ := body["pairs"].([]any)
	if code != 200 || len(pairs) != 2 || body["next"] == nil {
		t.Fatalf("pairs page 1: %d %v", code, body)
	}
	first := pairs[0].(map[string]any)
	if first["id"] != id || first["status"] != "candidate" || first["evidence"].(map[string]any)["phone"] != 1.0 {
		t.Errorf("best pair: %v", first)
	}
	code, body2, _ := sc.do(t, auth.Inspector, "GET", "/api/v1/xref/pairs?limit=2&status=candidate&cursor="+url.QueryEscape(body["next"].(string)), "")
	if p2, _ := body2["pairs"].([]any); code != 200 || len(p2) != 1 || body2["next"] != nil {
		t.Errorf("pairs page 2: %d %v", code, body2)
	}
	for _, q := range []string{"status=maybe", "cursor=nonsense", "limit=0", "limit=1001"} {
		if code, _, _ := sc.do(t, auth.Inspector, "GET", "/api/v1/xref/pairs?"+q, ""); code != 400 {
			t.Errorf("pairs?%s: %d, want 400", q, code)
		}
	}
	network := func() []string {
		t.Helper()
		code, body, _ := sc.do(t, auth.Inspector, "GET", "/api/v1/enterprises/"+url.PathEscape(xrefX)+"/network?depth=1", "")
		if code != 200 {
			t.Fatalf("network: %d %v", code, body)
		}
		return nodeKeys(body)
	}
	before := network() // cached now
	if slices.Contains(before, storetest.B) {
		t.Fatalf("B in X's network before any decision: %v", before)
	}
	matchQuery := `{"queries": [{"name": "x"}]}`
	if code, body, _ := sc.do(t, auth.Inspector, "POST", "/api/v1/match", matchQuery); code != 200 {
		t.Fatalf("match: %d %v", code, body)
	}
	code, body, _ = sc.do(t, auth.Inspector, "POST", "/api/v1/xref/pairs/"+id, `{"decision":"confirm"}`)
	if code != 200 || body["status"] != "confirmed" || body["decided_by"] != sc.ids[auth.Inspector] {
		t.Fatalf("confirm: %d %v", code, body)
	}
	// The decision advanced the generation through this server: the match
	// index follows it without a rebuild.
	if code, body, _ := sc.do(t, auth.Inspector, "POST", "/api/v1/match", matchQuery); code != 200 || sc.api.matcher.Builds() != 1 {
		t.Errorf("match after a decision: %d %v, %d builds (want 1)", code, body, sc.api.matcher.Builds())
	}
	after := network()
	for _, k := range []string{storetest.B, storetest.F, storetest.P1, storetest.C, xrefP9} {
		if !slices.Contains(after, k) {
			t.Errorf("X's network after confirm lacks %s: %v", k, after)
		}
	}
	code, body, _ = sc.do(t, auth.Inspector, "GET", "/api/v1/paths?from=person:"+xrefP9+"&to="+storetest.C+"&max_depth=2", "")
	if paths, _ := body["paths"].([]any); code != 200 || len(paths) != 1 {
		t.Errorf("path P9 → C through the SAME_AS link: %d %v", code, body)
	}
	// Impossible transitions, unknown pairs, bad bodies.
	for _, c := range []struct {
		id, body string
		want     int
	}{
		{id, `{"decision":"confirm"}`, 409},
		{id, `{"decision":"reject"}`, 409},
		{"xp-0000000000000000", `{"decision":"confirm"}`, 404},
		{id, `{"decision":"merge"}`, 400},
		{id, `{"verdict":"confirm"}`, 400},
	} {
		if code, body, _ := sc.do(t, auth.Inspector, "POST", "/api/v1/xref/pairs/"+c.id, c.body); code != c.want {
			t.Errorf("POST %s %s: %d %v, want %d", c.id, c.body, code, body, c.want)
		}
	}
	// Every decision request is audited with both enterprises.
	code, body, _ = sc.do(t, auth.Admin, "GET", "/api/v1/audit?entity="+url.QueryEscape(xrefX)+"&route="+url.QueryEscape("/api/v1/xref/pairs/:id"), "")
	entries, _ := body["entries"].([]any)
	if code != 200 || len(entries) != 5 {
		t.Fatalf("audit entries naming X on the decision route: %d, %d entries %v", code, len(entries), body)
	}
	for _, e := range entries {
		ents, _ := e.(map[string]any)["entities"].([]any)
		if len(ents) != 2 || !slices.Contains(ents, any("enterprise:"+storetest.B)) {
			t.Errorf("audit entry entities: %v", e)
		}
	}
	code, body, _ = sc.do(t, auth.Inspector, "POST", "/api/v1/xref/pairs/"+id, `{"decision":"undo"}`)
	if code != 200 || body["status"] != "undone" || len(body["history"].([]any)) != 2 {
		t.Fatalf("undo: %d %v", code, body)
	}
	if again := network(); !slices.Equal(again, before) {
		t.Errorf("X's network after undo: %v, want %v", again, before)
	}
	if code, body, _ := sc.do(t, auth.Inspector, "POST", "/api/v1/xref/pairs/"+id, `{"decision":"undo"}`); code != 409 {
		t.Errorf("undo an undone pair: %d %v", code, body)
	}
	// A rejected pair links nothing.
	other := store.XrefPairID(storetest.A, storetest.G)
	code, body, _ = sc.do(t, auth.Inspector, "POST", "/api/v1/xref/pairs/"+other, `{"decision":"reject"}`)
	if code != 200 || body["status"] != "rejected" {
		t.Fatalf("reject: %d %v", code, body)
	}
	code, body, _ = sc.do(t, auth.Inspector, "GET", "/api/v1/enterprises/"+storetest.A+"/network?depth=1", "")
	if keys := nodeKeys(body); code != 200 || slices.Contains(keys, storetest.G) {
		t.Errorf("A's network after rejecting A/G: %d %v", code, keys)
	}
	code, body, _ = sc.do(t, auth.Inspector, "GET", "/api/v1/xref/pairs?status=rejected", "")
	if ps, _ := body["pairs"].([]any); code != 200 || len(ps) != 1 {
		t.Errorf("rejected pairs: %d %v", code, body)
	}
}

// fakeXref is an XrefTrigger that records its runs in the store.
type fakeXref struct {
	s       store.Store
	mu      sync.Mutex
	running string
	opts    XrefOptions
}

func (f *fakeXref) StartXref(ctx context.Context, opts XrefOptions) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.running != "" {
		return f.running, ErrXrefInProgress
	}
	f.running, f.opts = "xref-1", opts
	return f.running, f.s.SaveXrefRun(ctx, store.Run{ID: f.running, Started: time.Now(), Status: store.RunRunning})
}

// TestStartXrefAPI: POST /xref starts a run (202 with its id), refuses a
// second (409) and bad options (400), and answers 503 without a trigger;
// the run is polled at /xref/runs/{id}.
func TestStartXrefAPI(t *testing.T) {
	s := memStore(t)
	fx := &fakeXref{s: s}
	sc := newSecured(t, s, Options{Xref: fx})
	for _, b := range []string{`{"threshold":1.5}`, `{"max_block":1}`, `{"max_block":5000}`, `{"blocks":3}`} {
		if code, body, _ := sc.do(t, auth.Admin, "POST", "/api/v1/xref", b); code != 400 {
			t.Errorf("POST /xref %s: %d %v, want 400", b, code, body)
		}
	}
	code, body, _ := sc.do(t, auth.Admin, "POST", "/api/v1/xref", `{"max_block":20}`)
	if code != 202 || body["run"] != "xref-1" || body["detail"] != "/api/v1/xref/runs/xref-1" || fx.opts.MaxBlock != 20 {
		t.Fatalf("start: %d %v (opts %+v)", code, body, fx.opts)
	}
	if code, body, _ := sc.do(t, auth.Admin, "POST", "/api/v1/xref", ""); code != 409 {
		t.Errorf("second start: %d %v, want 409", code, body)
	}
	code, body, _ = sc.do(t, auth.Inspector, "GET", "/api/v1/xref/runs/xref-1", "")
	if code != 200 || body["status"] != store.RunRunning {
		t.Errorf("poll: %d %v", code, body)
	}
	if code, _, _ := sc.do(t, auth.Inspector, "GET", "/api/v1/xref/runs/nope", ""); code != 404 {
		t.Errorf("unknown run: %d", code)
	}
	if code, _, _ := sc.do(t, auth.Inspector, "POST", "/api/v1/xref", ""); code != 403 {
		t.Errorf("inspector starts a run: %d, want 403", code)
	}
	none := newSecured(t, memStore(t), Options{})
	if code, body, _ := none.do(t, auth.Admin, "POST", "/api/v1/xref", ""); code != 503 {
		t.Errorf("without a trigger: %d %v", code, body)
	}
}
