package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/rs/zerolog"

	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/memory"
	"riskgraph/store/storetest"
)

// TestCachedBodyIdentical: with Redis, a cached answer (from Redis and
// from the in-process tier, compressed or not, asked with and without
// Accept-Encoding: gzip) is byte for byte the answer the handler wrote on
// the miss; Redis holds it compressed; a write makes the next answer fresh
// and that one is cached the same way.
func TestCachedBodyIdentical(t *testing.T) {
	r := testRedis(t)
	s, hub := hubStore(t, "src:cb", "缓存枢纽有限公司")
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	for _, near := range []int{-1, 0} { // Redis only; Redis with the in-process tier
		api := NewAPI(Options{Store: s, Cache: r, Logger: zerolog.Nop(), InsecureDev: true, NearCache: near, Now: func() time.Time { return now }})
		h := api.Handler()
		get := func(path string, gz bool) (string, []byte) {
			t.Helper()
			req := httptest.NewRequest(http.MethodGet, path, nil)
			if gz {
				req.Header.Set("Accept-Encoding", "br, gzip;q=0.8")
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 200 {
				t.Fatalf("%s: status %d: %s", path, rec.Code, rec.Body.String())
			}
			body := rec.Body.Bytes()
			if src := rec.Header().Get("X-Cache"); src != "miss" && rec.Header().Get("Content-Length") != fmt.Sprint(len(body)) {
				t.Errorf("%s (%s): Content-Length %q for %d bytes sent", path, src, rec.Header().Get("Content-Length"), len(body))
			}
			if ct := rec.Header().Values("Content-Type"); len(ct) != 1 || ct[0] != "application/json" {
				t.Errorf("%s: Content-Type %q", path, ct)
			}
			if enc := rec.Header().Get("Content-Encoding"); enc == "gzip" {
				if !gz {
					t.Fatalf("%s: gzip sent to a client that did not ask for it", path)
				}
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			} else if enc != "" {
				t.Fatalf("Content-Encoding %q", enc)
			}
			return rec.Header().Get("X-Cache"), body
		}
		hit := "hit"
		if near == 0 {
			hit = "hit-local"
		}
		for _, path := range []string{
			"/api/v1/enterprises/" + hub + "/network?depth=2&limit=200", // large: compressed
			"/api/v1/enterprises/" + hub,                                // small: kept as written
		} {
			src, first := get(path, false)
			if near == -1 && src != "miss" {
				t.Fatalf("%s: first request X-Cache %q", path, src)
			}
			// Redis's copy is made after the answer is sent (cachefill.go).
			api.waitFills()
			for _, gz := range []bool{true, false, false} { // the second plain one from the in-process tier's plain form
				src, again := get(path, gz)
				if src != hit && src != "hit" {
					t.Errorf("%s (gzip %v): X-Cache %q, want %s", path, gz, src, hit)
				}
				if !bytes.Equal(again, first) {
					t.Errorf("%s (gzip %v): cached body differs from the answer written:\n%s\n%s", path, gz, again, first)
				}
			}
		}
		api.Close()
	}
	// Redis holds the large answer compressed, under the key respond uses.
	{
		api := NewAPI(Options{Store: s, Cache: r, Logger: zerolog.Nop(), InsecureDev: true, Now: func() time.Time { return now }})
		v, err := api.versions.get(ctx)
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodGet, "/api/v1/enterprises/"+hub+"/network?depth=2&limit=200", nil)
		c := echo.New().NewContext(req, httptest.NewRecorder())
		c.SetPath("/api/v1/enterprises/:key/network")
		c.SetParamNames("key")
		c.SetParamValues(hub)
		rt := api.routeOf(c)
		if rt == nil {
			t.Fatal("no route for the network")
		}
		stored, ok, err := r.Get(ctx, responseKey(v, false, c, rt))
		if err != nil || !ok {
			t.Fatalf("network answer not in Redis (%v)", err)
		}
		if !isGzip(stored) {
			t.Errorf("Redis holds the %d-byte network answer uncompressed", len(stored))
		}
		api.Close()
	}

	// A write: the next answer is fresh, then cached and identical again.
	if err := s.WriteBatch(ctx, &store.Batch{Enterprises: []models.Enterprise{{Key: hub + "-07", Name: "持股公司（更名）"}}}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Minute) // past the version cache's TTL
	api := NewAPI(Options{Store: s, Cache: r, Logger: zerolog.Nop(), InsecureDev: true, Now: func() time.Time { return now }})
	defer api.Close()
	h := api.Handler()
	path := "/api/v1/enterprises/" + hub + "/network?depth=2&limit=200"
	var bodies [][]byte
	for i, gz := range []bool{false, true} {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if gz {
			req.Header.Set("Accept-Encoding", "gzip")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		body := rec.Body.Bytes()
		if rec.Header().Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			body, _ = io.ReadAll(zr)
		}
		if want := []string{"miss", "hit-local"}[i]; rec.Header().Get("X-Cache") != want {
			t.Errorf("after the write, request %d: X-Cache %q, want %s", i, rec.Header().Get("X-Cache"), want)
		}
		if !bytes.Contains(body, []byte("更名")) {
			t.Errorf("after the write, request %d: the new name is missing", i)
		}
		bodies = append(bodies, body)
		api.waitFills()
	}
	if !bytes.Equal(bodies[0], bodies[1]) {
		t.Error("after the write: cached body differs from the answer written")
	}
}

// hubStore opens a memory store holding storetest.Fixture and a hub
// enterprise (key prefix:<unique>) with 40 enterprise holders, so that its
// depth-2 network is well above compressMin; the unique key makes the
// test's cache keys fresh in the shared Redis. It returns the store and the
// hub's key.
func hubStore(t *testing.T, prefix, name string) (*memory.Store, string) {
	t.Helper()
	s, err := memory.Open(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := context.Background()
	if err := s.WriteBatch(ctx, storetest.Fixture()); err != nil {
		t.Fatal(err)
	}
	hub := fmt.Sprintf("%s:%d", prefix, time.Now().UnixNano())
	b := &store.Batch{Enterprises: []models.Enterprise{{Key: hub, Name: name}}}
	for i := range 40 {
		k := fmt.Sprintf("%s-%02d", hub, i)
		b.Enterprises = append(b.Enterprises, models.Enterprise{Key: k, Name: fmt.Sprintf("持股公司%02d", i)})
		b.Shareholdings = append(b.Shareholdings, models.Shareholding{Holder: models.EnterpriseRef(k), Enterprise: hub, Ratio: 0.02})
	}
	if err := s.WriteBatch(ctx, b); err != nil {
		t.Fatal(err)
	}
	return s, hub
}
