package server

import (
	"cmp"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

// The OpenAPI 3.0.3 document at /api/v1/openapi.json is built from the
// route table (routes.go) once per server: paths and parameters from the
// rows, request and response schemas reflected from the rows' Request and
// Response types (schemas.go), every error as the one problem-details
// schema (problem.go), and links from the rows' Links. The document and the
// router cannot disagree: both come from the same rows.

var echoParam = regexp.MustCompile(`:([a-z_]+)`)

// openapiPath turns an Echo pattern into an OpenAPI path template.
func openapiPath(p string) string {
	p = strings.ReplaceAll(p, `\:`, "\x00")
	p = echoParam.ReplaceAllString(p, "{$1}")
	return strings.ReplaceAll(p, "\x00", ":")
}

// Markers for the Response of routes whose success is not a JSON object.
type (
	// noContent: the success has no body (204).
	noContent struct{}
	// textBody: the success is text in the row's Produces (not JSON).
	textBody string
	// rawRows: a request body of CSV or NDJSON rows (not JSON).
	rawRows string
)

// link is one OpenAPI link of a route's success: the route it leads to
// (its method and Echo path as in routes()), and that route's parameters
// as runtime expressions ($response.body#/hits/0/ref/key).
type link struct {
	Name   string
	To     string
	Params map[string]string
}

// errorStatuses are the error statuses r may answer, with the problem
// body unless r.Others says otherwise.
func (r route) errorStatuses() []int {
	var out []int
	switch {
	case strings.HasPrefix(r.fullPath(), "/api/v1/"):
		out = append(out, 400)
		// Every /api/v1 route reads the API key: a wrong one is 401, and too
		// many requests without a valid one from an address are 429.
		out = append(out, 401, 429)
	case strings.HasPrefix(r.fullPath(), publicPrefix+"/"):
		// The public pages validate their parameters (400) and are limited
		// per client address (429).
		out = append(out, 400, 429)
	}
	if r.Roles != nil {
		out = append(out, 403)
	}
	if strings.Contains(r.Path, ":") && strings.Contains(strings.ReplaceAll(r.Path, `\:`, ""), ":") {
		out = append(out, 404)
	}
	if r.Request != nil {
		out = append(out, 413)
	}
	out = append(out, 503)
	for _, c := range r.Extra {
		if c >= 400 && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	sort.Ints(out)
	return out
}

// successStatuses are r's 2xx statuses: those in Extra, else 200.
func (r route) successStatuses() []int {
	var out []int
	for _, c := range r.Extra {
		if c >= 200 && c < 300 {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		out = []int{200}
	}
	return out
}

// openapiDoc returns the document, built at the first call.
func (a *API) openapiDoc() map[string]any {
	a.docOnce.Do(func() { a.doc = a.buildOpenAPI() })
	return a.doc
}

func (a *API) buildOpenAPI() map[string]any {
	resp := newSchemaSet(a.schemaFacts())
	req := newSchemaSet(a.schemaFacts())
	req.r.RequiredFromJSONSchemaTags = true
	req.suffix = "Input"
	problem := resp.schemaOf(reflect.TypeOf(errorBody{}))
	paths := map[string]any{}
	ops := map[string]string{} // method+" "+Echo path → operationId
	rows := a.routes()
	for _, r := range rows {
		ops[r.Method+" "+r.Path] = strings.ToLower(r.Method) + opID(openapiPath(r.fullPath()))
	}
	for _, r := range rows {
		p := openapiPath(r.fullPath())
		item, _ := paths[p].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[p] = item
		}
		var params []any
		for _, pr := range r.Params {
			schema := map[string]any{"type": "string"}
			switch {
			case pr.Int:
				schema = map[string]any{"type": "integer", "minimum": pr.Min, "maximum": pr.Max}
				if pr.Default != 0 {
					schema["default"] = pr.Default
				}
			case pr.In == "path":
				schema["minLength"] = 1
			}
			if len(pr.Enum) > 0 {
				schema["enum"] = anys(pr.Enum)
			}
			if pr.Format != "" {
				schema["format"] = pr.Format
			}
			if pr.Pattern != "" {
				schema["pattern"] = pr.Pattern
			}
			params = append(params, map[string]any{"name": pr.Name, "in": pr.In, "required": pr.Required || pr.In == "path",
				"description": pr.Desc, "schema": schema})
		}
		responses := map[string]any{}
		for _, code := range r.successStatuses() {
			responses[strconv.Itoa(code)] = a.successResponse(resp, r, code, rows, ops)
		}
		for _, code := range r.errorStatuses() {
			if other, ok := r.Others[code]; ok {
				responses[strconv.Itoa(code)] = map[string]any{"description": http.StatusText(code),
					"content": map[string]any{mediaOf(other): map[string]any{"schema": resp.schemaOf(reflect.TypeOf(other))}}}
				continue
			}
			responses[strconv.Itoa(code)] = map[string]any{"$ref": "#/components/responses/Problem"}
		}
		op := map[string]any{"summary": r.Summary, "operationId": ops[r.Method+" "+r.Path], "responses": responses,
			"tags": []any{tagOf(r)}}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if r.Roles != nil {
			names := []string{"admin"}
			for _, x := range r.Roles {
				names = append(names, string(x))
			}
			op["description"] = "Roles: " + strings.Join(names, ", ") + "."
			op["security"] = []any{map[string]any{"apiKey": []any{}}, map[string]any{"bearer": []any{}}}
			if r.TTL > 0 {
				op["description"] = op["description"].(string) + " Cached (X-Cache: hit or miss)."
			}
		} else {
			op["security"] = []any{}
		}
		if r.Request != nil {
			desc := r.Body
			if r.MaxItems > 0 {
				desc += " — at most " + spaced(r.MaxItems)
			}
			content := map[string]any{}
			if _, raw := r.Request.(rawRows); raw {
				for _, mt := range []string{"text/csv", "application/x-ndjson"} {
					content[mt] = map[string]any{"schema": map[string]any{"type": "string"}}
				}
			} else {
				content["application/json"] = map[string]any{"schema": req.schemaOf(reflect.TypeOf(r.Request))}
			}
			op["requestBody"] = map[string]any{"required": !r.BodyOptional, "description": desc, "content": content}
		}
		item[strings.ToLower(r.Method)] = op
	}
	a.docTypes = []map[reflect.Type]bool{resp.seen, req.seen}
	schemas := map[string]any{}
	for _, set := range []*schemaSet{resp, req} {
		for n, d := range set.defs {
			schemas[n] = d
		}
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "riskgraph API", "version": a.version,
			"description": "Market-supervision graph: profiles, networks, paths, ownership, risk rankings, credit checks. " +
				"Every error is an RFC 9457 problem details object (application/problem+json). See docs/api.md and docs/security.md."},
		"servers": []any{map[string]any{"url": "/"}},
		"paths":   paths,
		"components": map[string]any{
			"schemas": schemas,
			"securitySchemes": map[string]any{
				"apiKey": map[string]any{"type": "apiKey", "in": "header", "name": "X-API-Key"},
				"bearer": map[string]any{"type": "http", "scheme": "bearer"},
			},
			"responses": map[string]any{"Problem": map[string]any{
				"description": "An error: what went wrong and what to change (RFC 9457 problem details)",
				"content":     map[string]any{mimeProblem: map[string]any{"schema": problem}}}},
		},
	}
}

// successResponse is the OpenAPI response of r's success with code.
func (a *API) successResponse(set *schemaSet, r route, code int, rows []route, ops map[string]string) map[string]any {
	out := map[string]any{"description": http.StatusText(code)}
	if _, none := r.Response.(noContent); none {
		return out
	}
	content := map[string]any{}
	if _, text := r.Response.(textBody); !text {
		content["application/json"] = map[string]any{"schema": set.schemaOf(reflect.TypeOf(r.Response))}
	}
	for _, mt := range r.Produces {
		content[mt] = map[string]any{"schema": map[string]any{"type": "string"}}
	}
	out["content"] = content
	if len(r.Links) > 0 {
		links := map[string]any{}
		for _, l := range r.Links {
			params := map[string]any{}
			for k, v := range l.Params {
				params[k] = v
			}
			links[l.Name] = map[string]any{"operationId": ops[l.To], "parameters": params}
		}
		out["links"] = links
	}
	return out
}

// mediaOf is the media type of a status's body declared in Others.
func mediaOf(v any) string {
	if _, ok := v.(errorBody); ok {
		return mimeProblem
	}
	if _, ok := v.(ingestFailure); ok {
		return mimeProblem
	}
	return "application/json"
}

// tagOf groups operations by their path's first segment.
func tagOf(r route) string {
	p := strings.TrimPrefix(r.fullPath(), "/api/v1")
	p = strings.TrimPrefix(p, "/")
	if i := strings.IndexAny(p, `/\`); i >= 0 {
		p = p[:i]
	}
	if p == "healthz" || p == "readyz" || p == "metrics" || p == "openapi.json" {
		return "service"
	}
	return p
}

func opID(p string) string {
	var b strings.Builder
	up := true
	for _, r := range p {
		if r == '/' || r == '{' || r == '}' || r == ':' || r == '_' || r == '.' {
			up = true
			continue
		}
		if up {
			b.WriteString(strings.ToUpper(string(r)))
			up = false
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// reflectedTypes are the named types the document's schemas come from
// (built first).
func (a *API) reflectedTypes() []map[reflect.Type]bool {
	a.openapiDoc()
	return a.docTypes
}

func (a *API) openapi(c echo.Context) error {
	a.docJSONOnce.Do(func() { a.docJSON, _ = json.Marshal(a.openapiDoc()) })
	return c.JSONBlob(http.StatusOK, a.docJSON)
}

// methodAllowed answers 405, with Allow naming the methods the route table
// serves there, a request whose path a route serves with other methods
// only. It runs before routing (Echo would answer 404, or run the /api/v1
// middleware for a route that is not there). OPTIONS goes on when CORS is
// configured (preflight requests).
//
// It runs on every request, so the route table is matched as compiled at
// start (a.patterns) and the request's path split without allocating; the
// list of methods is built only for a request that gets the 405.
func (a *API) methodAllowed(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if req.Method == http.MethodOptions && len(a.opts.CORSOrigins) > 0 {
			return next(c)
		}
		var buf [16]string
		segs := pathSegments(req.URL.EscapedPath(), buf[:0])
		served := false
		for i := range a.patterns {
			if p := &a.patterns[i]; p.matches(segs) {
				if p.method == req.Method {
					return next(c)
				}
				served = true
			}
		}
		if !served {
			return next(c) // no route's pattern: the router answers 404
		}
		allow := a.allowedMethods(segs)
		c.Response().Header().Set("Allow", strings.Join(allow, ", "))
		if req.Method == http.MethodHead {
			return c.NoContent(http.StatusMethodNotAllowed)
		}
		return sendProblem(c, problemOf(http.StatusMethodNotAllowed,
			req.Method+" is not allowed on "+req.URL.Path+"; use "+strings.Join(allow, ", ")))
	}
}

// allowedMethods lists the methods the route table serves on the path of
// segments segs (pathSegments), sorted; none when no route's pattern
// matches it.
func (a *API) allowedMethods(segs []string) []string {
	var out []string
	for i := range a.patterns {
		if p := &a.patterns[i]; p.matches(segs) && !slices.Contains(out, p.method) {
			out = append(out, p.method)
		}
	}
	sort.Strings(out)
	return out
}

// policyRows lists the route table's rows as the router registered them.
func (a *API) policyRows() []*route {
	out := make([]*route, 0, len(a.policy))
	for _, r := range a.policy {
		out = append(out, r)
	}
	return out
}

// pattern is a route's Echo path compiled for methodAllowed: one entry per
// segment, "" with param set for a :name segment, else the literal as a
// request's segment matches it (`\:` a literal colon).
type pattern struct {
	method string
	segs   []string
	param  []bool
}

// compilePatterns compiles the route table's rows, sorted by method and
// path so that the order does not depend on the map's.
func compilePatterns(rows []*route) []pattern {
	out := make([]pattern, 0, len(rows))
	for _, r := range rows {
		p := pattern{method: r.Method}
		for s := range strings.SplitSeq(r.fullPath(), "/") {
			isParam := strings.HasPrefix(s, ":")
			if isParam {
				s = ""
			}
			p.segs = append(p.segs, strings.ReplaceAll(s, `\:`, ":"))
			p.param = append(p.param, isParam)
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(x, y pattern) int {
		return cmp.Or(cmp.Compare(x.method, y.method), slices.Compare(x.segs, y.segs))
	})
	return out
}

// pathSegments splits an escaped path at '/' as strings.Split does,
// appending to buf (a caller's array: no allocation for up to its
// capacity).
func pathSegments(path string, buf []string) []string {
	for {
		i := strings.IndexByte(path, '/')
		if i < 0 {
			return append(buf, path)
		}
		buf = append(buf, path[:i])
		path = path[i+1:]
	}
}

// matches reports whether the pattern matches the escaped path's segments
// (pathSegments): a :name segment matches any non-empty segment, a literal
// one itself (percent-escapes decoded).
func (p *pattern) matches(segs []string) bool {
	if len(p.segs) != len(segs) {
		return false
	}
	for i, lit := range p.segs {
		s := segs[i]
		if p.param[i] {
			if s == "" {
				return false
			}
			continue
		}
		if s == lit {
			continue
		}
		if strings.IndexByte(s, '%') < 0 {
			return false
		}
		if u, err := url.PathUnescape(s); err != nil || u != lit {
			return false
		}
	}
	return true
}
