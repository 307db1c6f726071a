package server

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/rs/zerolog"

	"riskgraph/cache"
)

// responseKeyFmt is responseKey as first written (fmt and url.Query): the
// keys are shared by replicas, so a faster build of them must give the
// same strings, or a rolling upgrade would miss every cached answer.
func responseKeyFmt(v version, mask bool, c echo.Context, rt *route) string {
	variant := "f"
	if mask {
		variant = "m"
	}
	var b strings.Builder
	b.WriteString(rt.fullPath())
	for i, name := range c.ParamNames() {
		fmt.Fprintf(&b, "\x00:%s=%s", name, c.ParamValues()[i])
	}
	q := c.Request().URL.Query()
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

func TestResponseKeyUnchanged(t *testing.T) {
	api := NewAPI(Options{Cache: cache.NewLocal(10, nil), Logger: zerolog.Nop(), InsecureDev: true})
	defer api.Close()
	e := api.Handler()
	long := strings.Repeat("名", 200) // past the stack buffer
	cases := []struct {
		path, pattern string
		params        []string
	}{
		{"/api/v1/enterprises/91350100M000100Y43/network?depth=2&limit=200", "/api/v1/enterprises/:key/network", []string{"key", "91350100M000100Y43"}},
		{"/api/v1/enterprises/x/network?limit=010&depth=&kinds=a,b", "/api/v1/enterprises/:key/network", []string{"key", "x"}},
		{"/api/v1/enterprises/x/network?limit=-3x", "/api/v1/enterprises/:key/network", []string{"key", "x"}},
		{"/api/v1/enterprises/src:a:1", "/api/v1/enterprises/:key", []string{"key", "src:a:1"}},
		{"/api/v1/search?q=" + long + "&limit=7", "/api/v1/search", nil},
		{"/api/v1/ranking?region=110000&offset=0&limit=100", "/api/v1/ranking", nil},
	}
	for _, tc := range cases {
		for _, v := range []version{{0, ""}, {18446744073709551615, "run-20261207-1"}} {
			for _, mask := range []bool{false, true} {
				c := e.NewContext(httptest.NewRequest(http.MethodGet, tc.path, nil), httptest.NewRecorder())
				c.SetPath(tc.pattern)
				for i := 0; i < len(tc.params); i += 2 {
					c.SetParamNames(tc.params[i])
					c.SetParamValues(tc.params[i+1])
				}
				rt := api.routeOf(c)
				if rt == nil {
					t.Fatalf("no route %s", tc.pattern)
				}
				want := responseKeyFmt(v, mask, c, rt)
				c.QueryParams() // as checkQuery leaves it: parsed once
				if got := responseKey(v, mask, c, rt); got != want {
					t.Errorf("%s %v %v: %s; want %s", tc.path, v, mask, got, want)
				}
			}
		}
	}
	// One key written out: the format itself must not drift.
	c := e.NewContext(httptest.NewRequest(http.MethodGet, "/api/v1/enterprises/x", nil), httptest.NewRecorder())
	c.SetPath("/api/v1/enterprises/:key")
	c.SetParamNames("key")
	c.SetParamValues("x")
	sum := sha256.Sum256([]byte("/api/v1/enterprises/:key\x00:key=x"))
	if got, want := responseKey(version{7, "r1"}, true, c, api.routeOf(c)), "rg:resp:7:r1:m:"+hex.EncodeToString(sum[:16]); got != want {
		t.Errorf("key %s; want %s", got, want)
	}
}
