package main

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"riskgraph/ingest"
	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/memory"
	"riskgraph/synth"
)

func TestLoopbackOnly(t *testing.T) {
	allowed := []string{"127.0.0.1:8080", "127.3.2.1:80", "[::1]:8080", "localhost:8080", "LOCALHOST:1", "[::ffff:127.0.0.1]:8080"}
	refused := []string{":8080", "0.0.0.0:8080", "[::]:8080", "192.168.1.5:8080", "example.com:8080", "10.0.0.1:80", "127.0.0.1", ""}
	for i, addr := range append(allowed, refused...) {
		ok := i < len(allowed)
		err := loopbackOnly(addr)
		if (err == nil) != ok {
			t.Errorf("loopbackOnly(%q) = %v, want allowed %v", addr, err, ok)
		}
		if err != nil && !strings.Contains(err.Error(), "loopback") {
			t.Errorf("loopbackOnly(%q): unclear message %q", addr, err)
		}
	}
}

func TestParseTrustedProxies(t *testing.T) {
	got, err := parseTrustedProxies([]string{"10.0.0.0/8", " 192.168.1.7 ", "fd00::/8", "::1", "10.1.2.3/16", ""})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.0/8", "192.168.1.7/32", "fd00::/8", "::1/128", "10.1.0.0/16"}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i, p := range got {
		if p != netip.MustParsePrefix(want[i]) {
			t.Errorf("%d: %v, want %s", i, p, want[i])
		}
	}
	for _, bad := range []string{"10.0.0.0/33", "proxy.example", "10.0.0"} {
		if _, err := parseTrustedProxies([]string{bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestInsecureDevRefusedOffLoopback: serve and demo with --insecure-dev on
// an address others can reach stop at once with exit 2 and a clear
// message (demo before it generates anything); a bad --trusted-proxies
// entry also stops serve.
func TestInsecureDevRefusedOffLoopback(t *testing.T) {
	_, port, _ := net.SplitHostPort(freeAddr(t))
	for _, args := range [][]string{
		{"serve", "--insecure-dev", "--addr", "0.0.0.0:" + port},
		{"serve", "--insecure-dev", "--addr", ":" + port},
		{"demo", "--addr", "0.0.0.0:" + port, "--enterprises", "50"},
	} {
		data := t.TempDir()
		out, err := command(append([]string{"--data-dir", data}, args...)...).CombinedOutput()
		if exitCode(err) != 2 || !strings.Contains(string(out), "--insecure-dev") || !strings.Contains(string(out), "loopback") {
			t.Errorf("%v: exit %d, output %q; want 2 and a message about loopback", args, exitCode(err), out)
		}
		if _, err := os.Stat(filepath.Join(data, demoInput)); err == nil {
			t.Errorf("%v generated the demo sample before refusing", args)
		}
	}
	out, err := command("--data-dir", t.TempDir(), "serve", "--trusted-proxies", "10.0.0.0/33").CombinedOutput()
	if exitCode(err) != 2 || !strings.Contains(string(out), "--trusted-proxies") {
		t.Errorf("bad --trusted-proxies: exit %d, output %q", exitCode(err), out)
	}
	// Loopback is accepted.
	sv := startServe(t, t.TempDir(), "--insecure-dev")
	if code, _ := sv.do(t, "GET", "/api/v1/runs", ""); code != 200 {
		t.Errorf("insecure dev on 127.0.0.1: %d", code)
	}
	sv.stop(t)
}

// TestServeStartsWithRedisDown: serve starts while its Redis does not
// answer; /readyz says degraded and the API answers from the store; once
// a Redis starts on that address the cache is used again by itself: the
// answers come from it and their keys are in it, each with a TTL.
func TestServeStartsWithRedisDown(t *testing.T) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("redis-server is required under CI: %v", err)
		}
		t.Skip("no redis-server binary (make services-up installs it)")
	}
	data := t.TempDir()
	key := loadSample(t, data)
	inspector := createKey(t, data, "inspector")
	_, port, _ := net.SplitHostPort(freeAddr(t)) // nothing listens there yet
	url := "redis://127.0.0.1:" + port + "/0"

	sv := startServe(t, data, "--redis-url", url)
	code, ready := sv.do(t, "GET", "/readyz", "")
	checks, _ := ready["checks"].(map[string]any)
	if code != 200 || ready["status"] != "degraded" || checks["cache"] != "unreachable" {
		t.Errorf("readyz with Redis down: %d %v", code, ready)
	}
	if !strings.Contains(sv.stderr.String(), "Redis does not answer") {
		t.Errorf("no log line about Redis being down:\n%s", sv.stderr.String())
	}
	path := "/api/v1/enterprises/" + key
	for i := range 3 {
		code, src := getWithKey(t, sv.base+path, inspector)
		if code != 200 || src == "hit" {
			t.Fatalf("request %d with Redis down: %d X-Cache %q", i, code, src)
		}
	}

	redisCmd := exec.Command(bin, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := redisCmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = redisCmd.Process.Kill(); _ = redisCmd.Wait() })
	for i := 0; ; i++ {
		_, ready = sv.do(t, "GET", "/readyz", "")
		if ready["status"] == "ok" {
			break
		}
		if i == 100 {
			t.Fatalf("readyz still %v 10 s after Redis started", ready)
		}
		time.Sleep(100 * time.Millisecond)
	}
	other := "/api/v1/enterprises/" + key + "/records?limit=3" // not asked before
	if code, src := getWithKey(t, sv.base+other, inspector); code != 200 || src != "miss" {
		t.Errorf("first request with Redis back: %d X-Cache %q, want miss", code, src)
	}
	rc := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + port})
	defer rc.Close()
	ctx := context.Background()
	keys, err := rc.Keys(ctx, "rg:resp:*").Result()
	if err != nil || len(keys) == 0 {
		t.Fatalf("no cached answers in Redis after it came back: %v %v", keys, err)
	}
	for _, k := range keys {
		if ttl, _ := rc.PTTL(ctx, k).Result(); ttl <= 0 {
			t.Errorf("%s has no TTL", k)
		}
	}
	// The next identical request is served from the cache (this process's
	// near tier in front of Redis, or Redis).
	if code, src := getWithKey(t, sv.base+other, inspector); code != 200 || !strings.HasPrefix(src, "hit") {
		t.Errorf("second request with Redis back: %d X-Cache %q, want a hit", code, src)
	}
	sv.stop(t)
}

// getWithKey GETs u with the key and returns the status and X-Cache.
func getWithKey(t *testing.T, u, key string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("X-Cache")
}

// loadSample loads a small generated sample into the data dir and returns
// the USCC of one of its enterprises.
func loadSample(t *testing.T, data string) string {
	t.Helper()
	in := t.TempDir()
	if _, err := synth.Generate(synth.GenerateOptions{Enterprises: 100, Seed: 5, Out: in}); err != nil {
		t.Fatal(err)
	}
	s, err := memory.Open(memory.Options{DataDir: data, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h, _ := models.NewPIDHasher([]byte("listen-test-key-0123456789"))
	if _, err := ingest.LoadDir(context.Background(), in, s, ingest.LoadOptions{Hasher: h, Source: "t", Logger: zerolog.Nop()}); err != nil {
		t.Fatal(err)
	}
	var key string
	_ = s.Scan(context.Background(), 1000, func(b *store.Batch) error {
		for _, e := range b.Enterprises {
			if key == "" && e.USCC != "" && !e.Placeholder {
				key = e.USCC
			}
		}
		return nil
	})
	if key == "" {
		t.Fatal("no enterprise with a USCC in the sample")
	}
	return key
}
