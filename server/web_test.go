package server

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"riskgraph/auth"
	"riskgraph/web"
)

// TestWebUI: the page loads without a key (built UI or the "not built"
// page), /ui/session tells the page its role, /api/v1 keeps its JSON 404s.
func TestWebUI(t *testing.T) {
	sc := newSecured(t, memStore(t), Options{})
	get := func(path, key, enc string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		if enc != "" {
			req.Header.Set("Accept-Encoding", enc)
		}
		rec := httptest.NewRecorder()
		sc.h.ServeHTTP(rec, req)
		return rec
	}
	_, built := web.Assets()
	rec := get("/", "", "")
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("GET /: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	if !built && !strings.Contains(rec.Body.String(), "make web") {
		t.Errorf("UI not built: the page should say how to build it")
	}
	if built {
		if rec := get("/", "", "gzip, br"); rec.Header().Get("Content-Encoding") != "gzip" {
			t.Errorf("index.html not gzipped: %v", rec.Header())
		}
		if rec.Header().Get("Content-Security-Policy") == "" {
			t.Errorf("index.html without CSP")
		}
	}
	if rec := get("/no/such/file.js", "", ""); rec.Code != 404 {
		t.Errorf("missing asset: %d", rec.Code)
	}
	if rec := get("/api/v1/no-such-route", sc.keys[auth.Admin], ""); rec.Code != 404 || !strings.Contains(rec.Body.String(), `"error"`) {
		t.Errorf("/api/v1 unknown route: %d %s", rec.Code, rec.Body)
	}
	for _, c := range []struct {
		key  string
		code int
		want string
	}{
		{"", 200, `"authenticated":false`},
		{sc.keys[auth.Dashboard], 200, `"role":"dashboard"`},
		{sc.keys[auth.Inspector], 200, `"role":"inspector"`},
		{"rgk_0000000000000000_" + strings.Repeat("A", 43), 401, "invalid API key"},
	} {
		rec := get("/ui/session", c.key, "")
		if rec.Code != c.code || !strings.Contains(rec.Body.String(), c.want) {
			t.Errorf("/ui/session: %d %s, want %d %s", rec.Code, rec.Body, c.code, c.want)
		}
	}
	dev := New(Options{Store: memStore(t), InsecureDev: true})
	rec = httptest.NewRecorder()
	dev.ServeHTTP(rec, httptest.NewRequest("GET", "/ui/session", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"role":"admin"`) || !strings.Contains(rec.Body.String(), `"insecure_dev":true`) {
		t.Errorf("insecure dev /ui/session: %d %s", rec.Code, rec.Body)
	}
}

// TestAPIDocsPage: /api/docs is the API reference page (Swagger UI, its
// own entry of the web build): HTML with a CSP, every script, style and
// link on it local (no outside network) and answering 200, and none of
// its code loaded by the UI's index.html.
func TestAPIDocsPage(t *testing.T) {
	sc := newSecured(t, memStore(t), Options{})
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		sc.h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec
	}
	rec := get("/api/docs")
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("GET /api/docs: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	if _, built := web.Assets(); !built {
		if !strings.Contains(rec.Body.String(), "make web") {
			t.Errorf("UI not built: /api/docs should say how to build it")
		}
		return
	}
	page := rec.Body.String()
	if !strings.Contains(page, `id="swagger"`) {
		t.Errorf("/api/docs is not the API reference page:\n%s", page)
	}
	if rec.Header().Get("Content-Security-Policy") == "" {
		t.Errorf("/api/docs without CSP")
	}
	if rec := get("/api/docs/"); rec.Code != 200 || rec.Body.String() != page {
		t.Errorf("GET /api/docs/: %d", rec.Code)
	}
	refs := regexp.MustCompile(`(?:src|href)="([^"]*)"`).FindAllStringSubmatch(page, -1)
	var assets []string
	for _, m := range refs {
		u := m[1]
		if strings.HasPrefix(u, "data:") {
			continue
		}
		if !strings.HasPrefix(u, "/") || strings.HasPrefix(u, "//") {
			t.Errorf("/api/docs references %q: not a local asset", u)
			continue
		}
		if rec := get(u); rec.Code != 200 {
			t.Errorf("/api/docs references %s: %d", u, rec.Code)
		}
		if strings.HasPrefix(u, "/assets/") {
			assets = append(assets, u)
		}
	}
	if len(assets) == 0 {
		t.Fatalf("/api/docs loads no script or style: %s", page)
	}
	index := get("/").Body.String()
	for _, a := range assets {
		if strings.Contains(a, "/apidocs-") && strings.Contains(index, a) {
			t.Errorf("the UI's index.html loads the API reference's %s", a)
		}
	}
	if rec := get("/api/v1/openapi.json"); rec.Code != 200 {
		t.Errorf("the page's document /api/v1/openapi.json: %d", rec.Code)
	}
}
