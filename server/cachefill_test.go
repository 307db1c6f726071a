package server

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"riskgraph/cache"
	"riskgraph/models"
	"riskgraph/store"
)

// TestCacheFillAfterWrite: Redis's copy of a missed answer is made after the
// answer is sent, so it may land after a write moved the data on. Here the
// copies wait in a queue no worker reads until the write is done and the
// next answer (the new data) is sent; they are then stored newest first, so
// that the stale one lands last. The answers after that, from the in-process
// tier and from Redis, must carry the new data: the stale copy went under
// the old version's key. Until its copy is made an answer is served from the
// in-process tier. A full queue makes the copy on the request's path.
func TestCacheFillAfterWrite(t *testing.T) {
	r := testRedis(t)
	s, hub := hubStore(t, "src:cf", "填充枢纽有限公司")
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	api := NewAPI(Options{Store: s, Cache: r, Logger: zerolog.Nop(), InsecureDev: true, Now: func() time.Time { return now }})
	defer api.Close()
	if api.fills == nil {
		t.Fatal("no fill queue with Redis")
	}
	held := make(chan cacheFill, fillQueue) // no worker reads it
	api.fills = held
	h := api.Handler()
	path := "/api/v1/enterprises/" + hub + "/network?depth=2&limit=200"
	get := func() (string, []byte) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
		return rec.Header().Get("X-Cache"), rec.Body.Bytes()
	}
	if src, _ := get(); src != "miss" {
		t.Fatalf("first request: X-Cache %q, want miss", src)
	}
	if src, _ := get(); src != "hit-local" {
		t.Fatalf("before its copy is made: X-Cache %q, want hit-local (the plain body kept at once)", src)
	}
	if err := s.WriteBatch(ctx, &store.Batch{Enterprises: []models.Enterprise{{Key: hub + "-07", Name: "持股公司（改名）"}}}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Minute) // past the version cache's TTL
	src, fresh := get()
	if src != "miss" || !bytes.Contains(fresh, []byte("改名")) {
		t.Fatalf("after the write: X-Cache %q, new name there %v", src, bytes.Contains(fresh, []byte("改名")))
	}
	var queued []cacheFill
	for len(held) > 0 {
		queued = append(queued, <-held)
	}
	if len(queued) != 2 {
		t.Fatalf("%d copies queued, want 2", len(queued))
	}
	for _, f := range slices.Backward(queued) { // the stale copies land last
		api.fill(f)
		api.filling.Done()
	}
	redisOnly := func() { api.near = cache.NewLocal(nearEntries, api.opts.Now) } // empty: the next look-up reaches Redis
	for _, want := range []string{"hit-local", "hit"} {
		if want == "hit" {
			redisOnly()
		}
		src, cached := get()
		if src != want {
			t.Fatalf("after the copies: X-Cache %q, want %s", src, want)
		}
		if !bytes.Equal(cached, fresh) {
			t.Fatalf("%s: a copy other than the answer after the write:\n%s\n%s", src, cached, fresh)
		}
	}

	// A full queue: the request stores the copy itself.
	api.fills = make(chan cacheFill)
	now = now.Add(time.Minute)
	if err := s.WriteBatch(ctx, &store.Batch{Enterprises: []models.Enterprise{{Key: hub + "-08", Name: "持股公司（再改名）"}}}); err != nil {
		t.Fatal(err)
	}
	if src, body := get(); src != "miss" || !bytes.Contains(body, []byte("再改名")) {
		t.Fatalf("after the second write: X-Cache %q", src)
	}
	redisOnly()
	if src, body := get(); src != "hit" || !bytes.Contains(body, []byte("再改名")) {
		t.Fatalf("with the queue full: X-Cache %q, want a Redis hit with the new name", src)
	}
}
