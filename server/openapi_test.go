package server

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"riskgraph/cache"
	"riskgraph/store/memory"

	"github.com/rs/zerolog"
)

func docAPI(t *testing.T) *API {
	t.Helper()
	s, err := memory.Open(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return NewAPI(Options{Store: s, Cache: cache.NewLocal(10, nil), Logger: zerolog.Nop(), Version: "test"})
}

// TestRoutesDeclareTypes: every row declares the type its success encodes
// and, when it takes a body, the type the handler decodes it into; the
// document gives each a schema (no bare {"type": "object"}).
func TestRoutesDeclareTypes(t *testing.T) {
	a := docAPI(t)
	for _, r := range a.routes() {
		if r.Response == nil {
			t.Errorf("%s %s: no Response type (a zero value of what the handler answers)", r.Method, r.Path)
		}
		if r.Body != "" && r.Request == nil {
			t.Errorf("%s %s: a Body without a Request type (a zero value of what the handler decodes)", r.Method, r.Path)
		}
		if r.Request != nil && r.Body == "" {
			t.Errorf("%s %s: a Request type without a Body description", r.Method, r.Path)
		}
	}
	doc := a.openapiDoc()
	b, _ := json.Marshal(doc)
	var plain map[string]any
	_ = json.Unmarshal(b, &plain)
	for p, item := range plain["paths"].(map[string]any) {
		for m, op := range item.(map[string]any) {
			for code, resp := range op.(map[string]any)["responses"].(map[string]any) {
				r := resp.(map[string]any)
				if ref, ok := r["$ref"]; ok {
					if ref != "#/components/responses/Problem" {
						t.Errorf("%s %s %s: ref %v", m, p, code, ref)
					}
					continue
				}
				for mt, c := range mapOf(r["content"]) {
					s := mapOf(mapOf(c)["schema"])
					if mt == "application/json" && s["$ref"] == nil && s["type"] != "array" && len(s) <= 1 && !(p == "/api/v1/openapi.json") {
						t.Errorf("%s %s %s: schema %v says nothing", m, p, code, s)
					}
				}
			}
		}
	}
}

func mapOf(v any) map[string]any { m, _ := v.(map[string]any); return m }

// TestOpenAPISchemas: the reflected schemas carry what the issue asks:
// descriptions from doc comments, enums from the code's lists, formats,
// nullable fields and strict objects; the problem schema is every error.
func TestOpenAPISchemas(t *testing.T) {
	a := docAPI(t)
	b, _ := json.Marshal(a.openapiDoc())
	var doc map[string]any
	_ = json.Unmarshal(b, &doc)
	if strings.Contains(string(b), "$defs") || strings.Contains(string(b), `"type":"null"`) || strings.Contains(string(b), `"const"`) {
		t.Errorf("JSON Schema 2020 constructs left in the 3.0 document")
	}
	schemas := mapOf(mapOf(doc["components"])["schemas"])
	prop := func(schema, name string) map[string]any {
		s := mapOf(schemas[schema])
		if s == nil {
			t.Fatalf("no schema %s (have %d)", schema, len(schemas))
		}
		return mapOf(mapOf(s["properties"])[name])
	}
	if e := prop("Risk", "grade")["enum"]; !reflect.DeepEqual(e, []any{"A", "B", "C", "D"}) {
		t.Errorf("Risk.grade enum %v", e)
	}
	if e := prop("Enterprise", "status")["enum"]; len(e.([]any)) != 5 {
		t.Errorf("Enterprise.status enum %v", e)
	}
	if e := prop("KeyRequestInput", "role")["enum"]; len(e.([]any)) != 5 {
		t.Errorf("key request role enum %v", e)
	}
	if e := prop("CheckRequestInput", "scenario")["enum"]; e == nil {
		t.Errorf("credit check scenario has no enum")
	}
	if d := prop("Enterprise", "established"); d["format"] != "date" || d["nullable"] != true {
		t.Errorf("Enterprise.established %v: want a nullable date", d)
	}
	if d := prop("Run", "started"); d["format"] != "date-time" {
		t.Errorf("Run.started %v: want date-time", d)
	}
	if d := prop("Enterprise", "capital")["description"]; d != "registered capital, in yuan" {
		t.Errorf("Enterprise.capital description %q: want its doc comment", d)
	}
	if d := mapOf(schemas["EnterpriseProfile"])["description"]; d == nil || d == "" {
		t.Errorf("EnterpriseProfile has no description")
	}
	if s := mapOf(schemas["Enterprise"]); s["additionalProperties"] != false {
		t.Errorf("Enterprise is not strict: %v", s["additionalProperties"])
	}
	if d := prop("OwnershipView", "root"); d["nullable"] != true {
		t.Errorf("ownership root (a pointer) is not nullable: %v", d)
	}
	if req := mapOf(schemas["CheckRequestInput"])["required"]; !reflect.DeepEqual(req, []any{"subject", "scenario"}) {
		t.Errorf("check request required %v; want subject and scenario only", req)
	}
	pr := mapOf(mapOf(mapOf(mapOf(mapOf(doc["components"])["responses"])["Problem"])["content"])[mimeProblem])
	if ref := mapOf(pr["schema"])["$ref"]; ref != "#/components/schemas/ErrorBody" {
		t.Errorf("problem schema %v", pr)
	}
	req := mapOf(schemas["ErrorBody"])["required"]
	for _, f := range []string{"type", "title", "status", "detail", "error"} {
		if !containsAny(req, f) {
			t.Errorf("problem schema does not require %s: %v", f, req)
		}
	}
	// Links: search leads to the enterprise's routes.
	search := mapOf(mapOf(mapOf(mapOf(doc["paths"])["/api/v1/search"])["get"])["responses"])
	links := mapOf(mapOf(search["200"])["links"])
	if l := mapOf(links["network"]); l["operationId"] != "getApiV1EnterprisesKeyNetwork" {
		t.Errorf("search → network link %v", l)
	}
	// Every link's operation exists.
	ops := map[string]bool{}
	for _, item := range mapOf(doc["paths"]) {
		for _, op := range mapOf(item) {
			ops[mapOf(op)["operationId"].(string)] = true
		}
	}
	for p, item := range mapOf(doc["paths"]) {
		for m, op := range mapOf(item) {
			for code, resp := range mapOf(mapOf(op)["responses"]) {
				for name, l := range mapOf(mapOf(resp)["links"]) {
					if !ops[mapOf(l)["operationId"].(string)] {
						t.Errorf("%s %s %s: link %s to no operation", m, p, code, name)
					}
				}
			}
		}
	}
}

func containsAny(xs any, x string) bool {
	l, _ := xs.([]any)
	for _, y := range l {
		if y == x {
			return true
		}
	}
	return false
}

// TestOpenAPIFactsApply: every fact names a type or field the document
// reflects (a renamed field would otherwise lose its enum silently).
func TestOpenAPIFactsApply(t *testing.T) {
	a := docAPI(t)
	a.openapiDoc()
	known := map[string]bool{}
	for _, set := range a.reflectedTypes() {
		for typ := range set {
			known[typeKey(typ)] = true
			if typ.Kind() == reflect.Struct {
				for i := range typ.NumField() {
					known[typeKey(typ)+"."+typ.Field(i).Name] = true
				}
			}
		}
	}
	for k := range a.schemaFacts() {
		if !known[k] {
			t.Errorf("fact %s names no reflected type or field", k)
		}
	}
}

// TestOpenAPIComments checks openapi_comments.json, the doc comments of
// every type the document reflects, against the sources; with
// UPDATE_OPENAPI=1 it rewrites it (go generate ./server).
func TestOpenAPIComments(t *testing.T) {
	a := docAPI(t)
	a.openapiDoc()
	want := map[string]string{}
	pkgs := map[string]map[string]bool{} // pkgpath → type names
	for _, set := range a.reflectedTypes() {
		for typ := range set {
			if !strings.HasPrefix(typ.PkgPath(), "riskgraph/") && typ.PkgPath() != "riskgraph" {
				continue
			}
			name := typ.Name()
			if i := strings.IndexByte(name, '['); i >= 0 {
				name = name[:i]
			}
			if pkgs[typ.PkgPath()] == nil {
				pkgs[typ.PkgPath()] = map[string]bool{}
			}
			pkgs[typ.PkgPath()][name] = true
		}
	}
	for pkg, names := range pkgs {
		dir := filepath.Join("..", strings.TrimPrefix(pkg, "riskgraph/"))
		fset := token.NewFileSet()
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			collectComments(f, pkg, names, want)
		}
	}
	got := map[string]string{}
	_ = json.Unmarshal(openapiComments, &got)
	if os.Getenv("UPDATE_OPENAPI") == "1" {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		_ = enc.Encode(want)
		if err := os.WriteFile("openapi_comments.json", buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	var diff []string
	for k, v := range want {
		if got[k] != v {
			diff = append(diff, k)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			diff = append(diff, k)
		}
	}
	sort.Strings(diff)
	if len(diff) > 0 {
		t.Errorf("openapi_comments.json is stale (%d entries, first %s): run UPDATE_OPENAPI=1 go test ./server -run TestOpenAPIComments", len(diff), diff[0])
	}
}

// collectComments adds the doc comments of the named types of f and of
// their fields to out, as "pkg.Type" and "pkg.Type.Field".
func collectComments(f *ast.File, pkg string, names map[string]bool, out map[string]string) {
	clean := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.TYPE {
			continue
		}
		for _, sp := range g.Specs {
			ts := sp.(*ast.TypeSpec)
			if !names[ts.Name.Name] {
				continue
			}
			doc := ts.Doc.Text()
			if doc == "" && len(g.Specs) == 1 {
				doc = g.Doc.Text()
			}
			if doc = clean(doc); doc != "" {
				out[pkg+"."+ts.Name.Name] = doc
			}
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				continue
			}
			for _, fl := range st.Fields.List {
				text := fl.Doc.Text()
				if text == "" {
					text = fl.Comment.Text()
				}
				if text = clean(text); text == "" {
					continue
				}
				for _, n := range fl.Names {
					if !n.IsExported() {
						continue
					}
					out[pkg+"."+ts.Name.Name+"."+n.Name] = text
				}
			}
		}
	}
}

// TestProblemEveryError: errors of several origins (router, parameters,
// body, handler, store) are problem details with the documented members.
func TestProblemEveryError(t *testing.T) {
	h, _ := newTestAPI(t)
	cases := []struct {
		method, url, body string
		status            int
		field             string
	}{
		{"GET", "/api/v1/enterprises/91350100M000100Y43/records?limit=0", "", 400, "limit"},
		{"GET", "/api/v1/search?q=x&bogus=1", "", 400, "bogus"},
		{"GET", "/api/v1/enterprises/src:none:1", "", 404, ""},
		{"POST", "/api/v1/enterprises:batch", `{"keys": 3}`, 400, "keys"},
		{"POST", "/api/v1/enterprises:batch", `{"keys": []}`, 400, ""},
		{"POST", "/api/v1/enterprises:batch", `{"keys": ["91350100M000100Y43", null]}`, 400, "keys[1]"},
		{"POST", "/api/v1/enterprises:batch", `null`, 400, ""},
		{"PUT", "/api/v1/search", "", 405, ""},
		{"GET", "/api/v1/nowhere", "", 404, ""},
	}
	for _, tc := range cases {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(tc.method, tc.url, strings.NewReader(tc.body))
		if tc.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		h.ServeHTTP(rec, req)
		var body map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Errorf("%s %s: %d, not JSON: %q", tc.method, tc.url, rec.Code, rec.Body.String())
			continue
		}
		if rec.Code != tc.status || rec.Header().Get("Content-Type") != mimeProblem {
			t.Errorf("%s %s: %d %q; want %d %s", tc.method, tc.url, rec.Code, rec.Header().Get("Content-Type"), tc.status, mimeProblem)
		}
		if body["type"] != "about:blank" || body["title"] != http.StatusText(tc.status) || body["status"] != float64(tc.status) ||
			body["detail"] == "" || errMessage(body) != body["detail"] {
			t.Errorf("%s %s: body %v is not the problem shape", tc.method, tc.url, body)
		}
		if tc.field != "" {
			errs, _ := body["errors"].([]any)
			if len(errs) != 1 || mapOf(errs[0])["field"] != tc.field {
				t.Errorf("%s %s: errors %v; want field %s", tc.method, tc.url, body["errors"], tc.field)
			}
		}
	}
}

// TestMethodNotAllowed: a method a path does not take is 405 with Allow
// naming those it takes, for every path of the route table; a path no
// route has stays 404.
func TestMethodNotAllowed(t *testing.T) {
	h, _ := newTestAPI(t)
	a := docAPI(t)
	byPath := map[string][]string{}
	for _, r := range a.routes() {
		byPath[r.fullPath()] = append(byPath[r.fullPath()], r.Method)
	}
	for p, methods := range byPath {
		url := regexp.MustCompile(`\{[a-z_]+\}`).ReplaceAllString(openapiPath(p), "x1")
		sort.Strings(methods)
		for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
			if containsStr(methods, m) {
				continue
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(m, url, nil))
			if rec.Code != 405 || rec.Header().Get("Allow") != strings.Join(methods, ", ") {
				t.Errorf("%s %s: %d Allow %q; want 405 Allow %q", m, url, rec.Code, rec.Header().Get("Allow"), strings.Join(methods, ", "))
			}
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/api/v1/no/such/path", nil))
	if rec.Code != 404 {
		t.Errorf("POST to a path no route has: %d; want 404", rec.Code)
	}
	// A literal segment matches percent-escaped too; a trailing slash makes
	// another path.
	for url, want := range map[string]int{
		"/api/v1/enterprises%3Abatch":                 405,
		"/api/v1/enterprises%3abatch":                 405,
		"/api/v1/%65nterprises:batch":                 405,
		"/api/v1/enterprises:batch/":                  404,
		"/api/v1/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r": 404,
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", url, nil))
		if rec.Code != want || (want == 405 && rec.Header().Get("Allow") != "POST") {
			t.Errorf("GET %s: %d Allow %q; want %d", url, rec.Code, rec.Header().Get("Allow"), want)
		}
	}
}

func containsStr(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
