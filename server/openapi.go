package server

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

var echoParam = regexp.MustCompile(`:([a-z_]+)`)

// openapiPath turns an Echo pattern into an OpenAPI path template.
func openapiPath(p string) string {
	p = strings.ReplaceAll(p, `\:`, "\x00")
	p = echoParam.ReplaceAllString(p, "{$1}")
	return strings.ReplaceAll(p, "\x00", ":")
}

// openapiDoc builds the OpenAPI 3.0 document from the route table, so that
// the document and the router cannot disagree.
func (a *API) openapiDoc() map[string]any {
	paths := map[string]any{}
	for _, r := range a.routes() {
		p := openapiPath(r.fullPath())
		item, _ := paths[p].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[p] = item
		}
		var params []any
		for _, pr := range r.Params {
			schema := map[string]any{"type": "string"}
			if pr.Int {
				schema = map[string]any{"type": "integer", "minimum": pr.Min, "maximum": pr.Max}
			}
			params = append(params, map[string]any{"name": pr.Name, "in": pr.In, "required": pr.Required || pr.In == "path",
				"description": pr.Desc, "schema": schema})
		}
		responses := map[string]any{
			"200": map[string]any{"description": "OK", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}},
			"400": ref("Error"), "503": ref("Error"),
		}
		for _, code := range r.Extra {
			if code < 300 {
				responses[strconv.Itoa(code)] = map[string]any{"description": http.StatusText(code), "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}}
			} else {
				responses[strconv.Itoa(code)] = ref("Error")
			}
		}
		op := map[string]any{"summary": r.Summary, "operationId": strings.ToLower(r.Method) + opID(p), "responses": responses}
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
			responses["401"], responses["403"], responses["429"] = ref("Error"), ref("Error"), ref("Error")
			if r.TTL > 0 {
				op["description"] = op["description"].(string) + " Cached (X-Cache: hit or miss)."
			}
		} else {
			op["security"] = []any{}
		}
		if r.Body != "" {
			desc := r.Body
			if r.MaxItems > 0 {
				desc += " — at most " + spaced(r.MaxItems)
			}
			op["requestBody"] = map[string]any{"required": true, "description": desc,
				"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}}
		}
		item[strings.ToLower(r.Method)] = op
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "riskgraph API", "version": a.version,
			"description": "Market-supervision graph: profiles, networks, paths, ownership, risk rankings. See docs/api.md and docs/security.md."},
		"servers": []any{map[string]any{"url": "/"}},
		"paths":   paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{
				"apiKey": map[string]any{"type": "apiKey", "in": "header", "name": "X-API-Key"},
				"bearer": map[string]any{"type": "http", "scheme": "bearer"},
			},
			"responses": map[string]any{"Error": map[string]any{"description": "Error", "content": map[string]any{"application/json": map[string]any{
				"schema": map[string]any{"type": "object", "properties": map[string]any{"error": map[string]any{"type": "object", "properties": map[string]any{
					"status": map[string]any{"type": "integer"}, "message": map[string]any{"type": "string"}}}}}}}}},
		},
	}
}

func ref(name string) map[string]any {
	return map[string]any{"$ref": "#/components/responses/" + name}
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

func (a *API) openapi(c echo.Context) error {
	return c.JSON(http.StatusOK, a.openapiDoc())
}
