package server

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

// checkQuery refuses (400) a query parameter the route does not declare in
// routes(), and a declared one given more than once. The answer would not
// depend on either, and in a cache key they would let a caller store any
// number of copies of one answer; the message names the parameters the
// route takes.
func (a *API) checkQuery(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		rt := a.routeOf(c)
		if rt == nil || c.Request().URL.RawQuery == "" {
			return next(c)
		}
		q := c.Request().URL.Query()
		names := make([]string, 0, len(q))
		for name := range q {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			if !rt.declares(name) {
				return badRequest("unknown query parameter %q for %s %s; %s", clipName(name), rt.Method, rt.fullPath(), rt.allowedQuery())
			}
			if n := len(q[name]); n > 1 {
				return badRequest("query parameter %s is given %d times; give it once", name, n)
			}
		}
		return next(c)
	}
}

// declares reports whether name is one of the route's query parameters.
func (r *route) declares(name string) bool {
	for _, p := range r.Params {
		if p.In == "query" && p.Name == name {
			return true
		}
	}
	return false
}

// allowedQuery says which query parameters the route takes.
func (r *route) allowedQuery() string {
	var names []string
	for _, p := range r.Params {
		if p.In == "query" {
			names = append(names, p.Name)
		}
	}
	if len(names) == 0 {
		return "it takes no query parameters"
	}
	return "it takes: " + strings.Join(names, ", ")
}

func clipName(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// responseKey: rg:resp:<generation>:<run>:<m|f>:<sha256 of the path and the
// route's declared query parameters>. Only declared parameters enter the
// key (checkQuery refuses others), in the route's order, empty ones left
// out (a handler treats them as absent) and whole numbers in their
// canonical form (limit=010 is limit=10 to the handler too), so that one
// answer has one key.
func responseKey(v version, mask bool, r *http.Request, rt *route) string {
	variant := "f"
	if mask {
		variant = "m"
	}
	var b strings.Builder
	b.WriteString(r.URL.Path)
	q := r.URL.Query()
	for _, p := range rt.Params {
		if p.In != "query" {
			continue
		}
		val := q.Get(p.Name)
		if val == "" {
			continue
		}
		if p.Int {
			if n, err := strconv.Atoi(val); err == nil {
				val = strconv.Itoa(n)
			}
		}
		fmt.Fprintf(&b, "\x00%s=%s", p.Name, val)
	}
	sum := sha256.Sum256([]byte(b.String()))
	return fmt.Sprintf("rg:resp:%d:%s:%s:%s", v.gen, v.run, variant, hex.EncodeToString(sum[:16]))
}
