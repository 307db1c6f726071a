package server

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"riskgraph/auth"
	"riskgraph/store/storetest"
)

// localClient serves sc's API on a Unix socket in a temporary directory,
// as serve does on the memory store, and returns a client of it.
func localClient(t *testing.T, sc *secured) (*http.Client, string) {
	t.Helper()
	// A short directory: socket paths are limited to about 100 bytes.
	dir, err := os.MkdirTemp("", "rgsock")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "riskgraph.sock")
	l, err := ListenLocal(path, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: sc.api.LocalHandler(), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	c := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", path)
	}}}
	return c, path
}

func localDo(t *testing.T, c *http.Client, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, "http://riskgraph"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return resp.StatusCode, m
}

// TestLocalSocketCreatesAndRevokesKeys: over the socket, without any API
// key, the CLI creates a key that works over HTTP at once and revokes it,
// after which it is refused at once although this server remembered it as
// valid a moment before (key cache). The socket is mode 0600. Over TCP the
// same requests without a key stay 401: the local principal cannot be
// claimed from the network.
func TestLocalSocketCreatesAndRevokesKeys(t *testing.T) {
	sc := newSecured(t, memStore(t), Options{KeyTTL: time.Hour})
	c, path := localClient(t, sc)
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 || fi.Mode()&os.ModeSocket == 0 {
		t.Errorf("socket %s: %v %v, want a socket with mode 0600", path, fi.Mode(), err)
	}

	code, body := localDo(t, c, "POST", "/api/v1/keys", `{"role":"inspector","name":"inspector Wang"}`)
	key, _ := body["key"].(string)
	id, _ := body["id"].(string)
	if code != 201 || !auth.WellFormed(key) || id == "" || body["role"] != "inspector" {
		t.Fatalf("create over the socket: %d %v", code, body)
	}
	get := func() int {
		req, _ := http.NewRequest("GET", "/api/v1/enterprises/"+storetest.C, nil)
		req.Header.Set("Authorization", "Bearer "+key)
		rec := httptest.NewRecorder()
		sc.h.ServeHTTP(rec, req)
		return rec.Code
	}
	if got := get(); got != 200 {
		t.Fatalf("the new key over HTTP: %d", got)
	}
	code, body = localDo(t, c, "GET", "/api/v1/keys", "")
	if code != 200 || !strings.Contains(mustJSON(body), id) || strings.Contains(mustJSON(body), key) {
		t.Errorf("list over the socket: %d %v", code, body)
	}
	if code, body = localDo(t, c, "POST", "/api/v1/keys/"+id+"/revoke", ""); code != 200 {
		t.Fatalf("revoke over the socket: %d %v", code, body)
	}
	if got := get(); got != 401 {
		t.Errorf("the revoked key right after the revoke: %d, want 401 (the key cache must not keep it)", got)
	}
	if code, _ = localDo(t, c, "POST", "/api/v1/keys/0000000000000000/revoke", ""); code != 404 {
		t.Errorf("revoke of an unknown id: %d, want 404", code)
	}
	if code, _ = localDo(t, c, "POST", "/api/v1/keys", `{"role":"root","name":"x"}`); code != 400 {
		t.Errorf("unknown role: %d, want 400", code)
	}
	// Key changes over the socket are audited under the local principal,
	// never with the key itself.
	code, body = localDo(t, c, "GET", "/api/v1/audit?key_id=local-cli&limit=100", "")
	routes := map[string]int{}
	for _, e := range body["entries"].([]any) {
		m := e.(map[string]any)
		routes[m["method"].(string)+" "+m["route"].(string)]++
	}
	if code != 200 || routes["POST /api/v1/keys"] != 2 || routes["POST /api/v1/keys/:id/revoke"] != 2 || strings.Contains(mustJSON(body), key) {
		t.Errorf("audit of the socket's requests: %d %v", code, routes)
	}

	// Over TCP nothing of this works without a key, or with a weaker one.
	for _, r := range []struct {
		role         auth.Role
		method, path string
		want         int
	}{
		{"", "POST", "/api/v1/keys", 401},
		{"", "GET", "/api/v1/keys", 401},
		{auth.Writer, "POST", "/api/v1/keys", 403},
		{auth.Inspector, "POST", "/api/v1/keys/" + sc.ids[auth.Admin] + "/revoke", 403},
	} {
		if code, resp, _ := sc.do(t, r.role, r.method, r.path, `{"role":"admin","name":"x"}`); code != r.want {
			t.Errorf("%s %s as %q over TCP: %d %v, want %d", r.method, r.path, r.role, code, resp, r.want)
		}
	}
}

// TestLocalRequestsAreRateLimited: the local principal is a key like any
// other for the rate limiter.
func TestLocalRequestsAreRateLimited(t *testing.T) {
	sc := newSecured(t, memStore(t), Options{RateLimit: 3, RateWindow: time.Hour})
	c, _ := localClient(t, sc)
	var codes []int
	for range 4 {
		code, _ := localDo(t, c, "GET", "/api/v1/keys", "")
		codes = append(codes, code)
	}
	if codes[2] != 200 || codes[3] != 429 {
		t.Errorf("statuses %v, want the 4th refused with 429", codes)
	}
}

// TestListenLocalReplacesAStaleSocket: a socket left by a crashed server is
// replaced; a regular file in its place is not removed.
func TestListenLocalReplacesAStaleSocket(t *testing.T) {
	dir, err := os.MkdirTemp("", "rgsock")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "riskgraph.sock")
	stale, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	stale.SetUnlinkOnClose(false) // as after a crash
	stale.Close()
	l, err := ListenLocal(path, zerolog.Nop())
	if err != nil {
		t.Fatalf("over a stale socket: %v", err)
	}
	l.Close()
	if err := os.WriteFile(path, []byte("data"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ListenLocal(path, zerolog.Nop()); err == nil || !strings.Contains(err.Error(), "not a socket") {
		t.Errorf("over a regular file: %v", err)
	}
	if raw, _ := os.ReadFile(path); string(raw) != "data" {
		t.Error("the regular file was removed")
	}
}

// TestWriteBatch: POST /batches writes a store batch for writers, visible
// at once; it refuses empty batches, engine results, other roles and
// bodies over its limit.
func TestWriteBatch(t *testing.T) {
	sc := newSecured(t, memStore(t), Options{BatchBodyLimit: 4096})
	const key = "src:api:batch-1"
	body := `{"enterprises":[{"key":"` + key + `","name":"批量企业"}],"persons":[{"pid":"` + strings.Repeat("ab", 16) + `","name":"张三"}]}`
	code, resp, _ := sc.do(t, auth.Writer, "POST", "/api/v1/batches", body)
	if code != 200 || resp["rows"] != 2.0 || resp["generation"].(float64) < 2 {
		t.Fatalf("write: %d %v", code, resp)
	}
	if e, err := sc.s.Enterprise(context.Background(), key); err != nil || e.Name != "批量企业" {
		t.Errorf("written enterprise: %+v %v", e, err)
	}
	if code, resp, _ = sc.do(t, auth.Inspector, "GET", "/api/v1/enterprises/"+key, ""); code != 200 {
		t.Errorf("the batch's enterprise over the API: %d %v", code, resp)
	}
	for name, c := range map[string]struct {
		role auth.Role
		body string
		want int
	}{
		"empty":      {auth.Writer, `{}`, 400},
		"risk":       {auth.Writer, `{"enterprises":[{"key":"src:api:x","risk":{"score":0.9}}]}`, 400},
		"unknown":    {auth.Writer, `{"nodes":[]}`, 400},
		"invalid":    {auth.Writer, `{"shareholdings":[{"holder":{"kind":"enterprise","key":"src:a:1"},"enterprise":"src:a:2","ratio":2}]}`, 400},
		"dashboard":  {auth.Dashboard, body, 403},
		"too large":  {auth.Writer, `{"enterprises":[{"key":"src:api:big","name":"` + strings.Repeat("x", 5000) + `"}]}`, 413},
		"two bodies": {auth.Writer, body + body, 400},
	} {
		if code, resp, _ := sc.do(t, c.role, "POST", "/api/v1/batches", c.body); code != c.want {
			t.Errorf("%s: %d %v, want %d", name, code, resp, c.want)
		}
	}
	if _, err := sc.s.Enterprise(context.Background(), "src:api:x"); err == nil {
		t.Error("a refused batch was written")
	}
}

func mustJSON(v any) string {
	raw, _ := json.Marshal(v)
	return string(raw)
}
