package server

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"riskgraph/auth"
	"riskgraph/cache"
	"riskgraph/store/storetest"
)

// TestUndeclaredQueryParameters: a query parameter a route does not
// declare, or a declared one given twice, is a 400 naming what the route
// takes — on every route under /api/v1, cached or not.
func TestUndeclaredQueryParameters(t *testing.T) {
	sc := newSecured(t, memStore(t), Options{RateLimit: -1})
	for _, r := range sc.api.routes() {
		if r.Roles == nil || !sc.registered(r) {
			continue
		}
		target, body := sample(r)
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		code, resp, _ := sc.do(t, auth.Admin, r.Method, target+sep+"nonce=1", body)
		msg := errMessage(resp)
		if code != 400 || !strings.Contains(msg, `unknown query parameter "nonce"`) || !strings.Contains(msg, r.allowedQuery()) {
			t.Errorf("%s %s with nonce: %d %q, want 400 naming what it takes (%s)", r.Method, r.fullPath(), code, msg, r.allowedQuery())
		}
	}
	for _, target := range []string{"/api/v1/search?q=abc&limit=5&limit=6", "/api/v1/search?q=abc&q=abd"} {
		if code, resp, _ := sc.do(t, auth.Inspector, "GET", target, ""); code != 400 || !strings.Contains(errMessage(resp), "give it once") {
			t.Errorf("%s: %d %v", target, code, resp)
		}
	}
	code, resp, _ := sc.do(t, auth.Inspector, "GET", "/api/v1/search?q=abc&Limit=5", "")
	if code != 400 || !strings.Contains(errMessage(resp), "it takes: q, offset, limit") {
		t.Errorf("Limit (wrong case): %d %v", code, resp)
	}
	// Declared parameters still work, and the message for a route without
	// any says so.
	if code, resp, _ := sc.do(t, auth.Inspector, "GET", "/api/v1/enterprises/"+storetest.C+"/records?offset=0&limit=5", ""); code != 200 {
		t.Errorf("declared parameters: %d %v", code, resp)
	}
	if _, resp, _ := sc.do(t, auth.Inspector, "GET", "/api/v1/enterprises/"+storetest.C+"?x=1", ""); !strings.Contains(errMessage(resp), "it takes no query parameters") {
		t.Errorf("profile with x: %v", resp)
	}
}

// TestCacheKeyFromDeclaredParameters: one answer, one key — the same
// question asked with an empty parameter or a whole number written
// differently is a cache hit, a different value is not.
func TestCacheKeyFromDeclaredParameters(t *testing.T) {
	sc := newSecured(t, memStore(t), Options{RateLimit: -1})
	base := "/api/v1/enterprises/" + storetest.C + "/records"
	if _, _, h := sc.do(t, auth.Inspector, "GET", base+"?limit=10", ""); h.Get("X-Cache") != "miss" {
		t.Fatalf("first: X-Cache %q", h.Get("X-Cache"))
	}
	for _, q := range []string{"?limit=010", "?offset=&limit=10", "?limit=%2B10", "?limit=10&offset="} {
		if code, _, h := sc.do(t, auth.Inspector, "GET", base+q, ""); code != 200 || h.Get("X-Cache") != "hit" {
			t.Errorf("%s: %d X-Cache %q, want a hit", q, code, h.Get("X-Cache"))
		}
	}
	if _, _, h := sc.do(t, auth.Inspector, "GET", base+"?limit=11", ""); h.Get("X-Cache") != "miss" {
		t.Errorf("limit=11: X-Cache %q, want a miss", h.Get("X-Cache"))
	}
}

// TestEveryRedisKeyExpires exercises the API against a Redis of its own —
// cached answers of every GET route for two roles, the ranking's sorted
// sets and a filtered intersection, rate-limit counters — then scans every
// key in it: each must have a TTL. Requests with undeclared parameters
// leave no key behind.
func TestEveryRedisKeyExpires(t *testing.T) {
	port := freePort(t)
	privateRedis(t, port)
	r, err := cache.OpenRedis(context.Background(), fmt.Sprintf("redis://127.0.0.1:%d/0", port))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	ss := newScoredSample(t, 300, "run-ttl")
	sc := newSecured(t, ss.s, Options{Cache: r, NearCache: -1, RateLimit: 100_000})
	ctx := context.Background()
	rc := r.Client()

	for _, role := range []auth.Role{auth.Dashboard, auth.Inspector} {
		for _, rt := range sc.api.routes() {
			if rt.Method != "GET" || rt.Roles == nil || !sc.registered(rt) {
				continue
			}
			target, _ := sample(rt)
			sc.do(t, role, "GET", target, "")
		}
	}
	// The ranking: published to Redis on first use, then a filter of two
	// sets (an intersection stored in Redis).
	sc.do(t, auth.Dashboard, "GET", "/api/v1/ranking?limit=5", "")
	for i := 0; ; i++ {
		if n, _ := rc.Exists(ctx, "rg:rank:{run-ttl}:ready").Result(); n == 1 {
			break
		}
		if i == 300 {
			t.Fatal("the ranking was not published to Redis within 30 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	e := ss.ents[0]
	q := fmt.Sprintf("/api/v1/ranking?region=%s&grade=%s&limit=7", e.Region[:2]+"0000", e.Risk.Grade)
	if code, body, _ := sc.do(t, auth.Dashboard, "GET", q, ""); code != 200 || body["source"] != "redis" {
		t.Fatalf("%s: %d %v", q, code, body)
	}

	respKeys := func() int {
		n := 0
		iter := rc.Scan(ctx, 0, "rg:resp:*", 1000).Iterator()
		for iter.Next(ctx) {
			n++
		}
		return n
	}
	before := respKeys()
	for i := range 50 {
		sc.do(t, auth.Dashboard, "GET", fmt.Sprintf("/api/v1/ranking?limit=5&nonce=%d", i), "")
	}
	if after := respKeys(); after != before {
		t.Errorf("requests with an undeclared parameter added %d cached answers", after-before)
	}

	families := map[string]int{}
	iter := rc.Scan(ctx, 0, "*", 1000).Iterator()
	for iter.Next(ctx) {
		k := iter.Val()
		ttl, err := rc.PTTL(ctx, k).Result()
		if err != nil {
			t.Fatal(err)
		}
		if ttl <= 0 {
			t.Errorf("key %s has no expiry (PTTL %v)", k, ttl)
		}
		parts := strings.SplitN(k, ":", 3)
		families[parts[0]+":"+parts[1]]++
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("keys by family: %v", families)
	for _, f := range []string{"rg:resp", "rg:rank", "rg:rl"} {
		if families[f] == 0 {
			t.Errorf("no %s keys: the test did not exercise them (%v)", f, families)
		}
	}
}

// TestDeclaredBoundsAreTheHandlersBounds: for every whole-number query
// parameter of every route, the bounds in the route's row are the ones
// the handler enforces — one past either end is a 400 naming exactly the
// declared range, each end itself is accepted — and the default lies in
// the range. A handler with a bound of its own fails here.
func TestDeclaredBoundsAreTheHandlersBounds(t *testing.T) {
	sc := newSecured(t, memStore(t), Options{RateLimit: -1})
	tried := 0
	for _, r := range sc.api.routes() {
		if !sc.registered(r) {
			continue
		}
		var ints []param
		for _, p := range r.Params {
			if p.Int {
				ints = append(ints, p)
			}
		}
		for _, p := range ints {
			if p.Default < p.Min || p.Default > p.Max {
				t.Errorf("%s %s: %s defaults to %d, outside [%d, %d]", r.Method, r.fullPath(), p.Name, p.Default, p.Min, p.Max)
			}
			// The others at their minimum, so that no sum of them is out of range.
			target, body := sample(r)
			for _, o := range ints {
				if o.Name != p.Name {
					target = withQuery(target, fmt.Sprintf("%s=%d", o.Name, o.Min))
				}
			}
			want := fmt.Sprintf("use a whole number from %d to %d", p.Min, p.Max)
			for _, v := range []int{p.Min - 1, p.Max + 1} {
				code, resp, _ := sc.do(t, auth.Admin, r.Method, withQuery(target, fmt.Sprintf("%s=%d", p.Name, v)), body)
				if msg := errMessage(resp); code != 400 || !strings.Contains(msg, want) {
					t.Errorf("%s %s %s=%d: %d %q, want 400 saying %q", r.Method, r.fullPath(), p.Name, v, code, msg, want)
				}
			}
			for _, v := range []int{p.Min, p.Max} {
				code, resp, _ := sc.do(t, auth.Admin, r.Method, withQuery(target, fmt.Sprintf("%s=%d", p.Name, v)), body)
				if code == 400 {
					t.Errorf("%s %s %s=%d (declared bound): %d %v", r.Method, r.fullPath(), p.Name, v, code, resp)
				}
			}
			tried++
		}
	}
	if tried < 15 {
		t.Errorf("only %d whole-number parameters tried", tried)
	}
	// The one bound across parameters: a search reads offset+limit hits.
	code, resp, _ := sc.do(t, auth.Inspector, "GET", "/api/v1/search?q=abc&offset=990&limit=20", "")
	if code != 400 || !strings.Contains(errMessage(resp), "offset + limit at most 1000") {
		t.Errorf("search offset 990 + limit 20: %d %v", code, resp)
	}
}

func withQuery(target, kv string) string {
	if strings.Contains(target, "?") {
		return target + "&" + kv
	}
	return target + "?" + kv
}
