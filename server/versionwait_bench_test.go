package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"riskgraph/auth"
	"riskgraph/cache"
	"riskgraph/store"
	"riskgraph/store/memory"
	"riskgraph/store/storetest"
)

// slowReads is a store whose reads of the data version and of keys take
// delay, as they do on a loaded Neo4j (17–47 ms under the uncached loads,
// benchmarks/RESULTS.md "wt-api").
type slowReads struct {
	store.Store
	delay time.Duration
}

func (s slowReads) Generation(ctx context.Context) (uint64, error) {
	time.Sleep(s.delay)
	return s.Store.Generation(ctx)
}

func (s slowReads) Runs(ctx context.Context, limit int) ([]store.Run, error) {
	time.Sleep(s.delay)
	return s.Store.Runs(ctx, limit)
}

func (s slowReads) KeyByHash(ctx context.Context, hash string) (store.APIKey, error) {
	time.Sleep(s.delay)
	return s.Store.KeyByHash(ctx, hash)
}

// BenchmarkCachedHitSlowVersionReads: cached hits from 16 goroutines while
// each read of the data version or of a key takes 30 ms, with the default
// VersionTTL (1 s) and KeyTTL (10 s). It reports how many requests per
// second of load waited 25 ms or more — a request that waited for those
// reads — and the slowest, beside the same load with reads that take no
// time (on a loaded machine the scheduler alone makes some requests wait). Run it for several seconds (-benchtime 5s):
//
//	go test ./server -run '^$' -bench CachedHitSlowVersionReads -benchtime 5s
//
// (The same file runs on a tree without the read-ahead: copy it in.)
func BenchmarkCachedHitSlowVersionReads(b *testing.B) {
	s, err := memory.Open(memory.Options{})
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
	for _, delay := range []time.Duration{0, 30 * time.Millisecond} {
		b.Run("reads "+delay.String(), func(b *testing.B) { hitsWhileReadsTake(b, slowReads{s, delay}, raw) })
	}
}

// hitsWhileReadsTake loads cached hits through an API on s (see
// BenchmarkCachedHitSlowVersionReads).
func hitsWhileReadsTake(b *testing.B, s store.Store, raw string) {
	api := NewAPI(Options{Store: s, Cache: cache.NewLocal(1000, nil), Logger: zerolog.Nop(), RateLimit: -1})
	defer api.Close()
	h := api.Handler()
	url := "/api/v1/enterprises/" + storetest.B
	get := func() int {
		req := httptest.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Authorization", "Bearer "+raw)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Code
	}
	if code := get(); code != 200 {
		b.Fatalf("warm-up: %d", code)
	}
	var mu sync.Mutex
	var all []time.Duration
	b.SetParallelism(8) // 8 goroutines per GOMAXPROCS
	start := time.Now()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var lat []time.Duration
		for pb.Next() {
			t := time.Now()
			if code := get(); code != 200 {
				b.Errorf("%d", code)
			}
			lat = append(lat, time.Since(t))
		}
		mu.Lock()
		all = append(all, lat...)
		mu.Unlock()
	})
	secs := time.Since(start).Seconds()
	slices.Sort(all)
	waited := 0
	for _, d := range all {
		if d >= 25*time.Millisecond {
			waited++
		}
	}
	b.ReportMetric(float64(waited)/secs, "waits≥25ms/s")
	b.ReportMetric(float64(all[len(all)-1].Microseconds())/1000, "max-ms")
	b.ReportMetric(float64(all[len(all)*999/1000].Microseconds())/1000, "p99.9-ms")
}
