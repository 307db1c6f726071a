package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"riskgraph/auth"
	"riskgraph/cache"
	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/memory"
	"riskgraph/store/storetest"
)

// secured is an API with one key per role over the fixture.
type secured struct {
	h    http.Handler
	api  *API
	s    store.Store
	keys map[auth.Role]string
	ids  map[auth.Role]string
}

func newSecured(t *testing.T, s store.Store, opts Options) *secured {
	t.Helper()
	ctx := context.Background()
	if err := s.WriteBatch(ctx, storetest.Fixture()); err != nil {
		t.Fatal(err)
	}
	sc := &secured{s: s, keys: map[auth.Role]string{}, ids: map[auth.Role]string{}}
	for _, r := range auth.Roles {
		key, id, err := auth.NewKey()
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SaveKey(ctx, store.APIKey{ID: id, Name: string(r) + " test", Role: string(r), Hash: auth.Hash(key), Created: time.Now()}); err != nil {
			t.Fatal(err)
		}
		sc.keys[r], sc.ids[r] = key, id
	}
	opts.Store = s
	if opts.Cache == nil {
		opts.Cache = cache.NewLocal(1000, nil)
	}
	opts.Logger = zerolog.Nop()
	opts.Version = "test"
	sc.api = NewAPI(opts)
	t.Cleanup(sc.api.Close)
	sc.h = sc.api.Handler()
	return sc
}

func memStore(t *testing.T) *memory.Store {
	t.Helper()
	s, err := memory.Open(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// do sends a request with the role's key ("" = no key) and returns status and body.
func (sc *secured) do(t *testing.T, role auth.Role, method, url, body string) (int, map[string]any, http.Header) {
	t.Helper()
	var req *http.Request
	if body != "" {
		req = httptest.NewRequest(method, url, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	} else {
		req = httptest.NewRequest(method, url, nil)
	}
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+sc.keys[role])
	}
	rec := httptest.NewRecorder()
	sc.h.ServeHTTP(rec, req)
	var m map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &m)
	return rec.Code, m, rec.Header()
}

func (sc *secured) registered(r route) bool {
	for _, x := range sc.api.Handler().Routes() {
		if x.Method == r.Method && x.Path == r.fullPath() {
			return true
		}
	}
	return false
}

// sample gives a request that reaches the handler for every route.
func sample(r route) (string, string) {
	p := r.fullPath()
	p = strings.ReplaceAll(p, ":key", storetest.C)
	p = strings.ReplaceAll(p, ":pid", storetest.P3)
	p = strings.ReplaceAll(p, ":id", "run-x")
	p = strings.ReplaceAll(p, ":kind", "enterprises")
	p = strings.ReplaceAll(p, `\:`, ":")
	body := ""
	switch {
	case strings.HasSuffix(p, "/paths"):
		p += "?from=" + storetest.B + "&to=" + storetest.D
	case strings.HasSuffix(p, "/search"):
		p += "?q=%E6%98%9F%E6%B2%B3"
	case strings.HasSuffix(p, "/credit-checks:batch"):
		body = `{"scenario":"bidding","subjects":["` + storetest.C + `"]}`
	case strings.HasSuffix(p, "/credit-checks"):
		body = `{"scenario":"bidding","subject":"` + storetest.C + `"}`
	case strings.HasSuffix(p, "/cases") || strings.HasSuffix(p, "/cases/run-x"):
		body = `{"version": 1, "title": "t", "view": {"mode": "network", "nodes": [], "edges": []}}`
		if strings.HasSuffix(p, "/cases") {
			body = `{"title": "t", "view": {"mode": "network", "nodes": [], "edges": []}}`
		}
	case strings.HasSuffix(p, ":batch"):
		body = `{"keys":["` + storetest.B + `"]}`
	}
	return p, body
}

// TestRoleMatrix sends every route with every role and no key: 401 without
// a key, 403 for a role the route does not admit, anything else otherwise.
func TestRoleMatrix(t *testing.T) {
	sc := newSecured(t, memStore(t), Options{})
	for _, r := range sc.api.routes() {
		if !sc.registered(r) {
			t.Logf("%s %s is not registered yet (its handler belongs to another issue)", r.Method, r.fullPath())
			continue
		}
		url, body := sample(r)
		for _, role := range append([]auth.Role{""}, auth.Roles...) {
			code, resp, _ := sc.do(t, role, r.Method, url, body)
			switch {
			case r.Roles == nil:
				if code == 401 || code == 403 {
					t.Errorf("%s %s public, role %q: %d", r.Method, url, role, code)
				}
			case role == "":
				if code != 401 {
					t.Errorf("%s %s without a key: %d, want 401", r.Method, url, code)
				}
			case role.In(r.Roles):
				if code == 401 || code == 403 {
					t.Errorf("%s %s as %s: %d %v, want admitted", r.Method, url, role, code, resp)
				}
			default:
				if code != 403 || !strings.Contains(errMessage(resp), "may not use") {
					t.Errorf("%s %s as %s: %d %v, want 403", r.Method, url, role, code, resp)
				}
			}
		}
	}
}

// TestEveryRouteHasAPolicy: a route registered without an entry in routes()
// would be admin-only by accident.
func TestEveryRouteHasAPolicy(t *testing.T) {
	sc := newSecured(t, memStore(t), Options{})
	for _, r := range sc.api.Handler().Routes() {
		if strings.HasSuffix(r.Path, "/*") || r.Path == "/api/v1" {
			continue // the group's not-found routes
		}
		if sc.api.policy[r.Method+" "+r.Path] == nil {
			t.Errorf("%s %s has no entry in routes()", r.Method, r.Path)
		}
	}
}

func TestBadKeys(t *testing.T) {
	sc := newSecured(t, memStore(t), Options{KeyTTL: time.Nanosecond})
	url := "/api/v1/enterprises/" + storetest.C
	for name, hdr := range map[string]string{
		"garbage": "Bearer hello", "unknown": "Bearer " + sc.keys[auth.Admin][:21] + strings.Repeat("A", 43),
		"basic": "Basic YWRtaW46YWRtaW4=", "injection": "Bearer ' OR 1=1 --",
	} {
		req := httptest.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", hdr)
		rec := httptest.NewRecorder()
		sc.h.ServeHTTP(rec, req)
		if rec.Code != 401 || strings.Contains(rec.Body.String(), "rgk_") {
			t.Errorf("%s: %d %s", name, rec.Code, rec.Body)
		}
	}
	// X-API-Key works as well as Bearer.
	req := httptest.NewRequest("GET", url, nil)
	req.Header.Set("X-API-Key", sc.keys[auth.Inspector])
	rec := httptest.NewRecorder()
	sc.h.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Errorf("X-API-Key: %d", rec.Code)
	}
	// Revoked keys stop working once the key cache expires.
	if err := sc.s.RevokeKey(context.Background(), sc.ids[auth.Inspector], time.Now()); err != nil {
		t.Fatal(err)
	}
	if code, body, _ := sc.do(t, auth.Inspector, "GET", url, ""); code != 401 || !strings.Contains(errMessage(body), "revoked") {
		t.Errorf("revoked key: %d %v", code, body)
	}
}

// TestRevokedKeyOutlivesRevocationByAtMostKeyTTL: a key revoked in the
// store behind the server's back (another replica, the CLI on Neo4j) still
// works from the key cache until KeyTTL has passed since it was verified,
// and not a moment longer; the digest cache never lets an unknown key in.
func TestRevokedKeyOutlivesRevocationByAtMostKeyTTL(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	sc := newSecured(t, memStore(t), Options{KeyTTL: 10 * time.Second, Now: func() time.Time { return now }})
	url := "/api/v1/enterprises/" + storetest.C
	if code, body, _ := sc.do(t, auth.Inspector, "GET", url, ""); code != 200 {
		t.Fatalf("valid key: %d %v", code, body)
	}
	if err := sc.s.RevokeKey(context.Background(), sc.ids[auth.Inspector], now); err != nil {
		t.Fatal(err)
	}
	now = now.Add(10*time.Second - time.Millisecond)
	if code, _, _ := sc.do(t, auth.Inspector, "GET", url, ""); code != 200 {
		t.Errorf("within KeyTTL of the verification: %d; the cached verification should still answer (documented)", code)
	}
	now = now.Add(time.Millisecond)
	if code, body, _ := sc.do(t, auth.Inspector, "GET", url, ""); code != 401 || !strings.Contains(errMessage(body), "revoked") {
		t.Errorf("KeyTTL after the verification: %d %v; want 401 revoked", code, body)
	}
	// Another key of the same shape, never saved: 401 however often asked.
	other := sc.keys[auth.Admin][:21] + strings.Repeat("B", 43)
	for range 3 {
		req := httptest.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", "Bearer "+other)
		rec := httptest.NewRecorder()
		sc.h.ServeHTTP(rec, req)
		if rec.Code != 401 {
			t.Fatalf("unknown key: %d", rec.Code)
		}
	}
}

func TestDashboardSeesMaskedNames(t *testing.T) {
	sc := newSecured(t, memStore(t), Options{})
	q := "/api/v1/search?q=" + "%E7%8E%8B" // 王
	_, full, _ := sc.do(t, auth.Inspector, "GET", q, "")
	_, masked, _ := sc.do(t, auth.Dashboard, "GET", q, "")
	fullJSON, _ := json.Marshal(full)
	maskedJSON, _ := json.Marshal(masked)
	if !strings.Contains(string(fullJSON), "王芳") {
		t.Fatalf("inspector should see 王芳: %s", fullJSON)
	}
	// Persons found by name are no search hits for dashboards at all (their
	// presence would confirm a guessed name: TestDashboardSearchIsNoNameOracle).
	if strings.Contains(string(maskedJSON), "王芳") || strings.Contains(string(maskedJSON), storetest.P3) {
		t.Errorf("dashboard must not see 王芳 or the person: %s", maskedJSON)
	}
	// The cached full answer must not leak to the dashboard, nor the masked one to the inspector.
	_, again, _ := sc.do(t, auth.Inspector, "GET", q, "")
	if b, _ := json.Marshal(again); !strings.Contains(string(b), "王芳") {
		t.Errorf("inspector got a masked cached answer: %s", b)
	}
}

func TestAuditLogRecordsLookups(t *testing.T) {
	sc := newSecured(t, memStore(t), Options{})
	sc.do(t, auth.Inspector, "GET", "/api/v1/enterprises/"+strings.ToLower(storetest.C), "")
	sc.do(t, auth.Inspector, "GET", "/api/v1/persons/"+storetest.P3, "")
	sc.do(t, auth.Dashboard, "POST", "/api/v1/enterprises:batch", `{"keys":["`+storetest.B+`","`+storetest.D+`"]}`)
	sc.do(t, auth.Dashboard, "GET", "/api/v1/persons/"+storetest.P3, "") // 403, still audited
	code, body, _ := sc.do(t, auth.Admin, "GET", "/api/v1/audit?entity=person:"+storetest.P3, "")
	if code != 200 {
		t.Fatalf("audit: %d %v", code, body)
	}
	entries := body["entries"].([]any)
	if len(entries) != 2 {
		t.Fatalf("entries for P3: %v", entries)
	}
	newest := entries[0].(map[string]any)
	if newest["key_id"] != sc.ids[auth.Dashboard] || newest["status"] != float64(403) || newest["route"] != "/api/v1/persons/:pid" {
		t.Errorf("newest entry: %v", newest)
	}
	_, body, _ = sc.do(t, auth.Admin, "GET", "/api/v1/audit?entity="+storetest.C, "")
	if e := body["entries"].([]any); len(e) != 1 || e[0].(map[string]any)["key_id"] != sc.ids[auth.Inspector] {
		t.Errorf("lookup of C: %v", e)
	}
	// The dashboard made two requests: the batch of two keys is one entry
	// naming both.
	_, body, _ = sc.do(t, auth.Admin, "GET", "/api/v1/audit?key_id="+sc.ids[auth.Dashboard]+"&limit=1", "")
	if e := body["entries"].([]any); len(e) != 1 || body["next"] == "" {
		t.Errorf("page 1 of the dashboard's entries: %v", body)
	}
	_, body2, _ := sc.do(t, auth.Admin, "GET", "/api/v1/audit?key_id="+sc.ids[auth.Dashboard]+"&limit=1&before="+body["next"].(string), "")
	if e := body2["entries"].([]any); len(e) != 1 {
		t.Errorf("page 2: %v", body2)
	} else if ents, _ := e[0].(map[string]any)["entities"].([]any); e[0].(map[string]any)["route"] != "/api/v1/enterprises:batch" ||
		len(ents) != 2 || ents[0] != "enterprise:"+storetest.B || ents[1] != "enterprise:"+storetest.D {
		t.Errorf("batch entry: %v", e[0])
	}
	for _, q := range []string{"limit=1001", "since=yesterday", "before=zz'", "entity=nope"} {
		if code, _, _ := sc.do(t, auth.Admin, "GET", "/api/v1/audit?"+q, ""); code != 400 {
			t.Errorf("audit?%s: %d, want 400", q, code)
		}
	}
}

func TestBodyLimitAndBatchBounds(t *testing.T) {
	sc := newSecured(t, memStore(t), Options{BodyLimit: 64 << 10})
	big := `{"keys":["` + strings.Repeat("9", 70<<10) + `"]}`
	if code, body, _ := sc.do(t, auth.Inspector, "POST", "/api/v1/enterprises:batch", big); code != 413 || !strings.Contains(errMessage(body), "at most") {
		t.Errorf("oversized body: %d %v", code, body)
	}
	keys := make([]string, 1001)
	for i := range keys {
		keys[i] = storetest.B
	}
	b, _ := json.Marshal(map[string]any{"keys": keys})
	if code, body, _ := sc.do(t, auth.Inspector, "POST", "/api/v1/enterprises:batch", string(b)); code != 400 || !strings.Contains(errMessage(body), "1000") {
		t.Errorf("1001 keys: %d %v", code, body)
	}
	for _, bad := range []string{`{"keys":`, `{"codes":["x"]}`, `{"keys":[]}`} {
		if code, _, _ := sc.do(t, auth.Inspector, "POST", "/api/v1/enterprises:batch", bad); code != 400 {
			t.Errorf("body %s: %d", bad, code)
		}
	}
	code, body, _ := sc.do(t, auth.Inspector, "POST", "/api/v1/enterprises:batch", `{"keys":["`+storetest.B+`","91350100M000100Y43","bad"]}`)
	if code != 200 || len(body["enterprises"].([]any)) != 1 || len(body["missing"].([]any)) != 2 {
		t.Errorf("batch: %d %v", code, body)
	}
}

func TestCORSOffByDefault(t *testing.T) {
	sc := newSecured(t, memStore(t), Options{})
	req := httptest.NewRequest("OPTIONS", "/api/v1/search?q=x", nil)
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Access-Control-Request-Method", "GET")
	rec := httptest.NewRecorder()
	sc.h.ServeHTTP(rec, req)
	if rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("CORS header sent by default: %v", rec.Header())
	}
	on := newSecured(t, memStore(t), Options{CORSOrigins: []string{"https://dash.example"}})
	req = httptest.NewRequest("GET", "/healthz", nil)
	req.Header.Set("Origin", "https://dash.example")
	rec = httptest.NewRecorder()
	on.h.ServeHTTP(rec, req)
	if rec.Header().Get("Access-Control-Allow-Origin") != "https://dash.example" {
		t.Errorf("configured origin not allowed: %v", rec.Header())
	}
}

func TestRateLimitInProcess(t *testing.T) {
	sc := newSecured(t, memStore(t), Options{RateLimit: 3, RateWindow: time.Hour})
	url := "/api/v1/enterprises/" + storetest.B
	for i := range 3 {
		if code, _, _ := sc.do(t, auth.Inspector, "GET", url, ""); code != 200 {
			t.Fatalf("request %d: %d", i, code)
		}
	}
	code, body, h := sc.do(t, auth.Inspector, "GET", url, "")
	if code != 429 || h.Get("Retry-After") == "" || !strings.Contains(errMessage(body), "rate limit") {
		t.Errorf("4th request: %d %v %v", code, body, h)
	}
	if code, _, _ := sc.do(t, auth.Dashboard, "GET", url, ""); code != 200 {
		t.Errorf("another key is limited separately: %d", code)
	}
}

// TestInjectionShapedInputIsData sends injection-shaped values in every
// string parameter of every route: nothing may fail with 5xx, the data
// must be intact afterwards. TestInjectionNeo4j runs the same on Neo4j.
func TestInjectionShapedInputIsData(t *testing.T) {
	injection(t, memStore(t))
}

func injection(t *testing.T, s store.Store) {
	sc := newSecured(t, s, Options{RateLimit: -1})
	payloads := []string{`' OR 1=1 //`, `"}) MATCH (n) DETACH DELETE n //`, "x`) DETACH DELETE n //", `$key`, `{key: 1}`, `*`, `星河" OR "1"="1`, `\u0027`}
	for _, r := range sc.api.routes() {
		if r.Method != "GET" || r.Roles == nil {
			continue
		}
		base, _ := sample(r)
		for _, p := range payloads {
			var urls []string
			if strings.Contains(r.fullPath(), ":key") {
				urls = append(urls, strings.Replace(base, storetest.C, urlEscape(p), 1))
			}
			if strings.Contains(r.fullPath(), ":pid") {
				urls = append(urls, strings.Replace(base, storetest.P3, urlEscape(p), 1))
			}
			for _, prm := range r.Params {
				if prm.In == "query" && !prm.Int {
					sep := "?"
					if strings.Contains(base, "?") {
						sep = "&"
					}
					urls = append(urls, base+sep+prm.Name+"="+urlEscape(p))
				}
			}
			for _, u := range urls {
				code, body, _ := sc.do(t, auth.Admin, "GET", u, "")
				if code >= 500 {
					t.Errorf("GET %s: %d %v", u, code, body)
				}
			}
		}
	}
	if code, _, _ := sc.do(t, auth.Admin, "POST", "/api/v1/enterprises:batch", `{"keys":["' OR 1=1 //","src:x' DETACH DELETE n //"]}`); code != 200 {
		t.Errorf("batch with injection-shaped keys: %d", code)
	}
	for _, k := range []string{storetest.A, storetest.B, storetest.C, storetest.D} {
		if _, err := s.Enterprise(context.Background(), k); err != nil {
			t.Errorf("after injection-shaped requests, %s: %v", k, err)
		}
	}
	if _, err := s.Person(context.Background(), storetest.P3); err != nil {
		t.Errorf("after injection-shaped requests, P3: %v", err)
	}
	_ = models.KindPerson
}

func urlEscape(s string) string {
	r := strings.NewReplacer("%", "%25", " ", "%20", "'", "%27", `"`, "%22", "#", "%23", "&", "%26", "?", "%3F", "/", "%2F", "{", "%7B", "}", "%7D", "$", "%24", "`", "%60", `\`, "%5C", "=", "%3D")
	var b strings.Builder
	for _, c := range r.Replace(s) {
		if c > 127 {
			for _, x := range []byte(string(c)) {
				b.WriteString("%" + strings.ToUpper(string("0123456789abcdef"[x>>4])+string("0123456789abcdef"[x&15])))
			}
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}
