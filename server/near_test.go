package server

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/memory"
	"riskgraph/store/storetest"
)

// TestNearCacheInFrontOfRedis: with Redis configured, a repeated answer is
// served from the in-process tier without Redis, and a new data generation
// makes it unreachable at once (after the version cache's TTL).
func TestNearCacheInFrontOfRedis(t *testing.T) {
	r := testRedis(t)
	s, err := memory.Open(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.WriteBatch(ctx, storetest.Fixture()); err != nil {
		t.Fatal(err)
	}
	// A unique enterprise makes this test's keys fresh in the shared Redis.
	key := fmt.Sprintf("src:near:%d", time.Now().UnixNano())
	if err := s.WriteBatch(ctx, &store.Batch{Enterprises: []models.Enterprise{{Key: key, Name: "近端缓存"}}}); err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	clock := func() time.Time { return now }
	api := NewAPI(Options{Store: s, Cache: r, Logger: zerolog.Nop(), InsecureDev: true, Now: clock})
	h := api.Handler()
	get := func() (string, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/enterprises/"+key, nil))
		if rec.Code != 200 {
			t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
		return rec.Header().Get("X-Cache"), rec.Body.String()
	}
	if src, _ := get(); src != "miss" {
		t.Fatalf("first request: X-Cache %q, want miss", src)
	}
	if src, _ := get(); src != "hit-local" {
		t.Errorf("second request: X-Cache %q, want hit-local (no Redis round trip)", src)
	}
	if err := s.WriteBatch(ctx, &store.Batch{Enterprises: []models.Enterprise{{Key: key, Name: "近端缓存（更名）"}}}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Minute) // past the version cache's TTL
	src, body := get()
	if src != "miss" || !strings.Contains(body, "更名") {
		t.Errorf("after a new batch: X-Cache %q, body %s; want a fresh answer", src, body)
	}
}
