package server

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"riskgraph/auth"
	"riskgraph/cache"
	"riskgraph/store/neo4j/neo4jtest"
	"riskgraph/store/storetest"
)

// TestInjectionNeo4j: injection-shaped input is data on the real Neo4j.
func TestInjectionNeo4j(t *testing.T) {
	injection(t, neo4jtest.Open(t))
}

// privateRedis starts a redis-server of this test's own on a free port
// (the shared one on 6379 stays untouched) and returns its URL and a stop
// function.
func privateRedis(t *testing.T, port int) func() {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("redis-server is required under CI: %v", err)
		}
		t.Skip("no redis-server binary (make services-up installs it)")
	}
	cmd := exec.Command(bin, "--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}
	t.Cleanup(stop)
	return stop
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestRedisKilledAndRestarted: with Redis the answers are cached; Redis
// killed, the API keeps answering from the store quickly and /readyz says
// degraded; Redis restarted, it recovers by itself.
func TestRedisKilledAndRestarted(t *testing.T) {
	port := freePort(t)
	stop := privateRedis(t, port)
	url := fmt.Sprintf("redis://127.0.0.1:%d/0", port)
	r, err := cache.OpenRedis(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	// No in-process tier: every lookup must reach (or miss) Redis itself.
	sc := newSecured(t, memStore(t), Options{Cache: r, NearCache: -1})
	path := "/api/v1/enterprises/" + storetest.C
	_, _, h := sc.do(t, auth.Inspector, "GET", path, "")
	_, _, h2 := sc.do(t, auth.Inspector, "GET", path, "")
	if h.Get("X-Cache") != "miss" || h2.Get("X-Cache") != "hit" {
		t.Errorf("first/second: %q/%q, want miss/hit", h.Get("X-Cache"), h2.Get("X-Cache"))
	}
	stop()
	start := time.Now()
	for i := range 20 {
		if code, body, _ := sc.do(t, auth.Inspector, "GET", path, ""); code != 200 {
			t.Fatalf("request %d with Redis down: %d %v", i, code, body)
		}
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("20 requests with Redis down took %v", took)
	}
	if code, body, _ := sc.do(t, "", "GET", "/readyz", ""); code != 200 || body["status"] != "degraded" {
		t.Errorf("readyz with Redis down: %d %v", code, body)
	}
	rec := httptest.NewRecorder()
	sc.h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	m, _ := io.ReadAll(rec.Body)
	if !strings.Contains(string(m), "riskgraph_redis_up 0") || !strings.Contains(string(m), `riskgraph_cache_requests_total{result="bypass"}`) {
		t.Errorf("metrics do not show Redis down")
	}
	privateRedis(t, port)
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, body, _ := sc.do(t, "", "GET", "/readyz", "")
		if code == 200 && body["status"] == "ok" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no recovery within 10 s: %v", body)
		}
		time.Sleep(200 * time.Millisecond)
	}
	sc.do(t, auth.Inspector, "GET", path, "")
	if _, _, h := sc.do(t, auth.Inspector, "GET", path, ""); h.Get("X-Cache") != "hit" {
		t.Errorf("after recovery: X-Cache %q, want hit", h.Get("X-Cache"))
	}
}

// TestOpenAPIDocument: the document parses, names every registered route,
// and every documented route is in the role matrix's requests.
func TestOpenAPIDocument(t *testing.T) {
	sc := newSecured(t, memStore(t), Options{})
	code, doc, _ := sc.do(t, "", "GET", "/api/v1/openapi.json", "")
	if code != 200 || doc["openapi"] != "3.0.3" {
		t.Fatalf("openapi: %d", code)
	}
	paths := doc["paths"].(map[string]any)
	for _, r := range sc.api.Handler().Routes() {
		if strings.HasSuffix(r.Path, "/*") || r.Path == "/api/v1" {
			continue
		}
		item, ok := paths[openapiPath(r.Path)].(map[string]any)
		if !ok || item[strings.ToLower(r.Method)] == nil {
			t.Errorf("%s %s is registered but not documented", r.Method, r.Path)
		}
	}
	for p, item := range paths {
		for m, op := range item.(map[string]any) {
			if op.(map[string]any)["responses"] == nil {
				t.Errorf("%s %s has no responses", m, p)
			}
		}
	}
}
