package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/rs/zerolog"

	"riskgraph/cache"
	"riskgraph/store/memory"
	"riskgraph/store/storetest"
)

// BenchmarkCachedLookup: an enterprise profile answered from the response
// cache, in process (no network, no rate limit): the middleware chain's
// cost per request, audit included.
func BenchmarkCachedLookup(b *testing.B) {
	s, err := memory.Open(memory.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.WriteBatch(context.Background(), storetest.Fixture()); err != nil {
		b.Fatal(err)
	}
	h := New(Options{Store: s, Cache: cache.NewLocal(100, nil), Logger: zerolog.Nop(), Version: "bench", InsecureDev: true, RateLimit: -1})
	url := "/api/v1/enterprises/" + storetest.B
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, url, nil))
	if w.Code != 200 {
		b.Fatalf("warm-up: %d %s", w.Code, w.Body)
	}
	b.ReportAllocs()
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, url, nil))
			if w.Code != 200 {
				b.Errorf("%d", w.Code)
			}
		}
	})
}
