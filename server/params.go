package server

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
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
		q := c.QueryParams() // parsed once per request (Echo keeps it), for responseKey and the handler too
		names := make([]string, 0, len(q))
		for name := range q {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			if !rt.declares(name) {
				return badField("query", clipName(name), "unknown query parameter %q for %s %s; %s", clipName(name), rt.Method, rt.fullPath(), rt.allowedQuery())
			}
			if n := len(q[name]); n > 1 {
				return badField("query", name, "query parameter %s is given %d times; give it once", name, n)
			}
		}
		return next(c)
	}
}

// declares reports whether name is one of the route's query parameters.
func (r *route) declares(name string) bool { return r.declared("query", name) != nil }

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

// unescapeParams decodes the percent-escapes in path parameters (keys,
// pids, ids). Echo matches routes on the request's raw path whenever it
// holds escapes Go would not have written itself (%3A for ':', %2F for '/',
// as encodeURIComponent writes a source key src:<source>:<id>), and then
// hands the parameters over still escaped; otherwise they come from the
// decoded path and are left alone (decoding them again would turn a key's
// literal "%41" into "A"). It runs first on /api/v1, so the audit trail,
// the response cache and every handler see the key the caller meant.
func unescapeParams(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Request().URL.RawPath == "" {
			return next(c)
		}
		names, vals := c.ParamNames(), c.ParamValues()
		out := make([]string, len(vals))
		for i, v := range vals {
			u, err := url.PathUnescape(v)
			if err != nil {
				return badField("path", names[i], "path parameter %s: %q is not validly percent-encoded; encode the value with encodeURIComponent (or url.PathEscape)", names[i], clipName(v))
			}
			out[i] = u
		}
		c.SetParamValues(out...)
		return next(c)
	}
}

// responseKey: rg:resp:<generation>:<run>:<m|f>:<sha256 of the route, its
// path parameters (unescaped) and its declared query parameters>. The path
// enters as the route's pattern and the parameters' values, not as the
// decoded URL path, which is ambiguous once a key may hold a '/' (the
// profile of "x/records" and the records of "x" decode alike), and which
// escapes of one key would multiply. Only declared parameters enter the
// key (checkQuery refuses others), in the route's order, empty ones left
// out (a handler treats them as absent) and whole numbers in their
// canonical form (limit=010 is limit=10 to the handler too), so that one
// answer has one key.
func responseKey(v version, mask bool, c echo.Context, rt *route) string {
	var arr [256]byte // the hashed text, on the stack unless longer
	b := append(arr[:0], rt.fullPath()...)
	for i, name := range c.ParamNames() {
		b = append(b, "\x00:"...)
		b = append(b, name...)
		b = append(b, '=')
		b = append(b, c.ParamValues()[i]...)
	}
	q := c.QueryParams()
	for _, p := range rt.Params {
		if p.In != "query" {
			continue
		}
		val := q.Get(p.Name)
		if val == "" {
			continue
		}
		b = append(b, 0)
		b = append(b, p.Name...)
		b = append(b, '=')
		if n, err := strconv.Atoi(val); p.Int && err == nil {
			b = strconv.AppendInt(b, int64(n), 10)
		} else {
			b = append(b, val...)
		}
	}
	sum := sha256.Sum256(b)
	k := make([]byte, 0, 8+20+1+len(v.run)+3+32)
	k = append(k, "rg:resp:"...)
	k = strconv.AppendUint(k, v.gen, 10)
	k = append(k, ':')
	k = append(k, v.run...)
	variant := byte('f')
	if mask {
		variant = 'm'
	}
	k = append(k, ':', variant, ':')
	k = hex.AppendEncode(k, sum[:16])
	return string(k)
}

// declared returns the route's declaration of the parameter name, or nil.
func (r *route) declared(in, name string) *param {
	for i := range r.Params {
		if p := &r.Params[i]; p.In == in && p.Name == name {
			return p
		}
	}
	return nil
}

// intQuery reads the whole-number query parameter name as the matched
// route declares it (routes()): its Default when absent, else a value in
// [Min, Max] or a 400 naming that range. The row is the only definition of
// the bounds, so the OpenAPI document, the validation and the handler
// cannot disagree; asking for a parameter the route does not declare as a
// whole number is a programming error (500).
func (a *API) intQuery(c echo.Context, name string) (int, error) {
	rt := a.routeOf(c)
	var p *param
	if rt != nil {
		p = rt.declared("query", name)
	}
	if p == nil || !p.Int {
		return 0, fmt.Errorf("server: %s %s reads query parameter %q, which its route does not declare as a whole number", c.Request().Method, c.Path(), name)
	}
	s := c.QueryParam(name)
	if s == "" {
		return p.Default, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < p.Min || n > p.Max {
		return 0, badRequest("%s=%q: use a whole number from %d to %d", name, s, p.Min, p.Max)
	}
	return n, nil
}

// intQueries reads several declared whole-number query parameters, in
// order (see intQuery).
func (a *API) intQueries(c echo.Context, names ...string) ([]int, error) {
	out := make([]int, len(names))
	for i, name := range names {
		n, err := a.intQuery(c, name)
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

// maxItems is the most items the matched route's JSON body may list.
func (a *API) maxItems(c echo.Context) int {
	if rt := a.routeOf(c); rt != nil {
		return rt.MaxItems
	}
	return 0
}

// spaced writes n with a space between thousands, as the API's texts do: 10000 → "10 000".
func spaced(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}
