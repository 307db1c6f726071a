package server

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"riskgraph/auth"
	"riskgraph/store/neo4j"
	"riskgraph/store/neo4j/neo4jtest"
	"riskgraph/store/storetest"
)

// TestRateLimitRedis: with Redis the limit is counted in Redis, so two API
// replicas share it (at this limit each reserves one token per request:
// the count is exact); over it the answer is 429 with Retry-After up to
// the end of the window; the next window starts afresh. The clock is the
// test's, so nothing waits.
func TestRateLimitRedis(t *testing.T) {
	r := testRedis(t)
	var now atomic.Int64
	windowStart := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	now.Store(windowStart.Add(20 * time.Second).UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	opts := Options{Cache: r, RateLimit: 3, RateWindow: time.Minute, Now: clock}
	sc := newSecured(t, memStore(t), opts)
	opts.Store, opts.Logger = sc.s, nopLogger()
	replica := NewAPI(opts)
	t.Cleanup(replica.Close)
	other := &secured{h: replica.Handler(), api: replica, s: sc.s, keys: sc.keys, ids: sc.ids}

	url := "/api/v1/enterprises/" + storetest.B
	for i, h := range []*secured{sc, other, sc} {
		code, _, hdr := h.do(t, auth.Inspector, "GET", url, "")
		if code != 200 || hdr.Get("X-RateLimit-Limit") != "3" || hdr.Get("X-RateLimit-Remaining") != string(rune('2'-i)) {
			t.Fatalf("request %d: %d, limit %q remaining %q", i, code, hdr.Get("X-RateLimit-Limit"), hdr.Get("X-RateLimit-Remaining"))
		}
	}
	for _, h := range []*secured{other, sc} {
		code, body, hdr := h.do(t, auth.Inspector, "GET", url, "")
		if code != 429 || hdr.Get("Retry-After") != "40" || !strings.Contains(errMessage(body), "rate limit of 3") {
			t.Errorf("over the limit: %d %v Retry-After %q, want 429 and 40 s", code, body, hdr.Get("Retry-After"))
		}
	}
	if code, _, _ := other.do(t, auth.Dashboard, "GET", url, ""); code != 200 {
		t.Errorf("another key has its own count: %d", code)
	}
	n, err := r.Client().Get(context.Background(), "rg:rl:"+sc.ids[auth.Inspector]+":"+strconv.FormatInt(windowStart.UnixMilli(), 10)).Int()
	if err != nil || n != 3 {
		t.Errorf("the count in Redis: %d %v, want 3 (tokens handed out; refusals take none)", n, err)
	}
	now.Store(windowStart.Add(time.Minute).UnixNano()) // the next window
	for _, h := range []*secured{sc, other} {
		if code, _, hdr := h.do(t, auth.Inspector, "GET", url, ""); code != 200 || hdr.Get("Retry-After") != "" {
			t.Errorf("in the next window: %d %v", code, hdr)
		}
	}
}

// proxy forwards TCP connections to target until it is stopped (then it
// refuses connections) or made silent (then it accepts and never answers,
// like a hung server).
type proxy struct {
	l      net.Listener
	target string
	silent atomic.Bool
	mu     sync.Mutex
	conns  []net.Conn
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{l: l, target: target}
	t.Cleanup(p.stop)
	go p.serve()
	return p
}

func (p *proxy) addr() string { return p.l.Addr().String() }

func (p *proxy) track(c net.Conn) {
	p.mu.Lock()
	p.conns = append(p.conns, c)
	p.mu.Unlock()
}

func (p *proxy) serve() {
	for {
		c, err := p.l.Accept()
		if err != nil {
			return
		}
		p.track(c)
		if p.silent.Load() {
			continue // hold it open, say nothing
		}
		go func() {
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				return
			}
			p.track(up)
			go func() { _, _ = io.Copy(up, c); up.Close() }()
			_, _ = io.Copy(c, up)
			c.Close()
		}()
	}
}

// cut closes every open connection.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *proxy) stop() {
	p.l.Close()
	p.cut()
}

// TestNeo4jUnreachable: a Neo4j that stops answering — first hung (accepts
// connections, says nothing), then down (refuses them) — makes the API
// answer 503 with a clear message within its store timeout, never hang;
// /readyz says the store is unreachable. No internal detail reaches the body.
func TestNeo4jUnreachable(t *testing.T) {
	opts := neo4jtest.Options(t)
	direct := neo4jtest.Open(t) // locks and empties the test database
	if err := direct.WriteBatch(context.Background(), storetest.Fixture()); err != nil {
		t.Fatal(err)
	}
	target := strings.TrimPrefix(strings.TrimPrefix(opts.URI, "bolt://"), "neo4j://")
	px := newProxy(t, target)
	opts.URI = "bolt://" + px.addr()
	s, err := neo4j.Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	const timeout = 500 * time.Millisecond
	h := New(Options{Store: s, Logger: nopLogger(), InsecureDev: true, StoreTimeout: timeout, VersionTTL: time.Nanosecond, KeyTTL: time.Nanosecond})
	url := "/api/v1/enterprises/" + storetest.C

	// bounded runs a request and fails the test if it has not answered
	// long after the store timeout (a hang), rather than waiting forever.
	bounded := func(path string) (int, string) {
		t.Helper()
		type answer struct {
			code int
			body string
		}
		ch := make(chan answer, 1)
		go func() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
			ch <- answer{rec.Code, rec.Body.String()}
		}()
		select {
		case a := <-ch:
			return a.code, a.body
		case <-time.After(60 * timeout):
			t.Fatalf("GET %s did not answer: the API hangs on an unreachable Neo4j", path)
			return 0, ""
		}
	}
	if code, body := bounded(url); code != 200 {
		t.Fatalf("through the proxy: %d %s", code, body)
	}
	const clear = "the graph store is unavailable; try again shortly"
	px.silent.Store(true)
	px.cut()
	for _, path := range []string{url, "/api/v1/enterprises/" + storetest.B + "/network", "/api/v1/search?q=abc"} {
		if code, body := bounded(path); code != 503 || !strings.Contains(body, clear) {
			t.Errorf("Neo4j hung, GET %s: %d %s; want 503 %q", path, code, body, clear)
		}
	}
	if code, body := bounded("/readyz"); code != 503 || !strings.Contains(body, `"store":"unreachable"`) {
		t.Errorf("readyz with Neo4j hung: %d %s", code, body)
	}
	px.stop()
	if code, body := bounded(url); code != 503 || !strings.Contains(body, clear) || strings.Contains(body, "127.0.0.1") {
		t.Errorf("Neo4j down: %d %s; want 503 %q without internal detail", code, body, clear)
	}
}
