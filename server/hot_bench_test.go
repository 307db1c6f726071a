package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"riskgraph/auth"
	"riskgraph/cache/redistest"
	"riskgraph/store"
	"riskgraph/store/memory"
	"riskgraph/store/storetest"
)

// BenchmarkCachedHitAsServed: a cached answer as `riskgraph serve` gives it
// on Redis — an API key checked, the audit entry fsynced to the audit log
// on disk, the rate limit counted (shared token blocks in Redis), the
// in-process tier in front of Redis — without the network: the server's
// own CPU per cached request (take -cpuprofile and -memprofile of it).
func BenchmarkCachedHitAsServed(b *testing.B) {
	r := redistest.Open(b)
	s, err := memory.Open(memory.Options{AuditDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.WriteBatch(ctx, storetest.Fixture()); err != nil {
		b.Fatal(err)
	}
	raw, id, _ := auth.NewKey()
	if err := s.SaveKey(ctx, store.APIKey{ID: id, Name: "bench", Role: string(auth.Admin), Hash: auth.Hash(raw), Created: time.Now()}); err != nil {
		b.Fatal(err)
	}
	api := NewAPI(Options{Store: s, Cache: r, Logger: zerolog.Nop(), RateLimit: 1_000_000_000})
	defer api.Close()
	h := api.Handler()
	for _, tc := range []struct{ name, path string }{
		{"profile", "/api/v1/enterprises/" + storetest.B},
		{"network", "/api/v1/enterprises/" + storetest.B + "/network?depth=2&limit=200"},
	} {
		get := func() *httptest.ResponseRecorder {
			req := httptest.NewRequest(http.MethodGet, tc.path, nil)
			req.Header.Set("Authorization", "Bearer "+raw)
			req.Header.Set("Accept-Encoding", "gzip")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			return w
		}
		for range 2 {
			if w := get(); w.Code != 200 {
				b.Fatalf("warm-up: %d %s", w.Code, w.Body)
			}
		}
		if w := get(); w.Header().Get("X-Cache") != "hit-local" {
			b.Fatalf("%s: X-Cache %q, want hit-local", tc.name, w.Header().Get("X-Cache"))
		}
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetParallelism(16)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if w := get(); w.Code != 200 {
						b.Errorf("%d", w.Code)
					}
				}
			})
		})
	}
}
