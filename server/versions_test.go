package server

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"riskgraph/auth"
	"riskgraph/models"
	"riskgraph/store"
)

// gatedStore counts Generation and KeyByHash calls and, while gate is
// set, holds each until gate is closed.
type gatedStore struct {
	store.Store
	mu          sync.Mutex
	gate        chan struct{}
	generations atomic.Int32
	lookUps     atomic.Int32
}

func (g *gatedStore) wait() {
	g.mu.Lock()
	gate := g.gate
	g.mu.Unlock()
	if gate != nil {
		<-gate
	}
}

func (g *gatedStore) Generation(ctx context.Context) (uint64, error) {
	g.generations.Add(1)
	g.wait()
	return g.Store.Generation(ctx)
}

func (g *gatedStore) KeyByHash(ctx context.Context, hash string) (store.APIKey, error) {
	g.lookUps.Add(1)
	g.wait()
	return g.Store.KeyByHash(ctx, hash)
}

func (g *gatedStore) hold() chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.gate = make(chan struct{})
	return g.gate
}

// writeEnterprise bumps the store's generation behind the API's back, as
// another process would.
func writeEnterprise(t *testing.T, s store.Store, key string) {
	t.Helper()
	b := &store.Batch{Enterprises: []models.Enterprise{{Key: key, Name: "Later Ltd"}}}
	if err := s.WriteBatch(context.Background(), b); err != nil {
		t.Fatal(err)
	}
}

// waitUntil polls ok for up to 5 s.
func waitUntil(t *testing.T, ok func() bool) {
	t.Helper()
	for range 500 {
		if ok() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("gave up waiting")
}

func (vs *versions) refreshingNow() bool {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	return vs.refreshing
}

// TestVersionReadAheadInBackground: once the version is half VersionTTL
// old, a request gets the version known while it is read again in the
// background (no request waits for the store); a write by another process
// is seen within VersionTTL, and a version older than VersionTTL is never
// used.
func TestVersionReadAheadInBackground(t *testing.T) {
	g := &gatedStore{Store: memStore(t)}
	now := time.Unix(1_800_000_000, 0)
	var clock sync.Mutex
	vs := &versions{s: g, ttl: time.Second, now: func() time.Time { clock.Lock(); defer clock.Unlock(); return now }}
	set := func(d time.Duration) { clock.Lock(); now = now.Add(d); clock.Unlock() }
	ctx := context.Background()
	v0, err := vs.get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	writeEnterprise(t, g.Store, "src:test:later-1")

	set(400 * time.Millisecond) // under half the TTL: no store call
	if v, _ := vs.get(ctx); v != v0 || g.generations.Load() != 1 {
		t.Fatalf("at 0.4 TTL: %v (store asked %d times), want %v from memory", v, g.generations.Load(), v0)
	}
	set(200 * time.Millisecond) // 0.6 TTL: the known version, read again behind
	gate := g.hold()
	if v, _ := vs.get(ctx); v != v0 {
		t.Fatalf("at 0.6 TTL: %v, want the known %v while the new one is read", v, v0)
	}
	if v, _ := vs.get(ctx); v != v0 {
		t.Fatalf("during the reading: %v, want %v", v, v0)
	}
	close(gate)
	waitUntil(t, func() bool { return !vs.refreshingNow() })
	if g.generations.Load() != 2 {
		t.Fatalf("%d readings, want 2 (one background reading for both requests)", g.generations.Load())
	}
	v1, _ := vs.get(ctx)
	if v1.gen <= v0.gen {
		t.Fatalf("after the background reading: generation %d, want above %d", v1.gen, v0.gen)
	}
	// The new version counts from when its reading started (0.6 TTL): at
	// 1.6 TTL it is read again on the request's path, never used older.
	writeEnterprise(t, g.Store, "src:test:later-2")
	set(time.Second)
	gate = g.hold()
	done := make(chan version)
	go func() { v, _ := vs.get(ctx); done <- v }()
	select {
	case v := <-done:
		t.Fatalf("a version a whole TTL old was used: %v", v)
	case <-time.After(50 * time.Millisecond):
	}
	close(gate)
	if v := <-done; v.gen <= v1.gen {
		t.Fatalf("at 1.6 TTL: generation %d, want above %d", v.gen, v1.gen)
	}
}

// TestVersionInvalidatedDuringReadAhead: a background reading begun before
// an invalidation (a write through this API) is not installed: the next
// request reads the version itself and sees the write.
func TestVersionInvalidatedDuringReadAhead(t *testing.T) {
	g := &gatedStore{Store: memStore(t)}
	now := time.Unix(1_800_000_000, 0)
	var clock sync.Mutex
	vs := &versions{s: g, ttl: time.Second, now: func() time.Time { clock.Lock(); defer clock.Unlock(); return now }}
	ctx := context.Background()
	v0, _ := vs.get(ctx)
	clock.Lock()
	now = now.Add(600 * time.Millisecond)
	clock.Unlock()
	gate := g.hold()
	vs.get(ctx) // starts the background reading, held at the gate
	waitUntil(t, func() bool { return g.generations.Load() == 2 })
	writeEnterprise(t, g.Store, "src:test:later-1")
	vs.invalidate()
	g.mu.Lock()
	g.gate = nil // the request's own reading passes
	g.mu.Unlock()
	v1, err := vs.get(ctx)
	if err != nil || v1.gen <= v0.gen {
		t.Fatalf("after the invalidation: %v %v, want a generation above %d", v1, err, v0.gen)
	}
	close(gate) // the old reading (of v0's generation? it reads now: the write is in) ends
	waitUntil(t, func() bool { return !vs.refreshingNow() })
	if v, _ := vs.get(ctx); v != v1 {
		t.Fatalf("after the background reading begun before the invalidation: %v, want %v", v, v1)
	}
}

// TestKeyLookUpsShared: concurrent requests with one unknown key make one
// store call; a key half KeyTTL old is looked up again in the background
// while requests go on; a key revoked and forgotten is never taken back
// from a look-up begun before the forget.
func TestKeyLookUpsShared(t *testing.T) {
	g := &gatedStore{Store: memStore(t)}
	ctx := context.Background()
	raw, id, _ := auth.NewKey()
	if err := g.SaveKey(ctx, store.APIKey{ID: id, Name: "t", Role: string(auth.Inspector), Hash: auth.Hash(raw), Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	var clock sync.Mutex
	kc := newKeyCache(g, 10*time.Second, func() time.Time { clock.Lock(); defer clock.Unlock(); return now })
	d := auth.Digest(raw)
	gate := g.hold()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if k, err := kc.get(ctx, d); err != nil || k.ID != id {
				t.Errorf("get: %v %v", k, err)
			}
		}()
	}
	waitUntil(t, func() bool { return g.lookUps.Load() >= 1 })
	time.Sleep(20 * time.Millisecond) // let the others join
	close(gate)
	wg.Wait()
	if n := g.lookUps.Load(); n != 1 {
		t.Fatalf("%d store look-ups for 8 concurrent requests of one key, want 1", n)
	}

	// Half the TTL later: answered at once, looked up behind.
	clock.Lock()
	now = now.Add(6 * time.Second)
	clock.Unlock()
	gate = g.hold()
	if k, err := kc.get(ctx, d); err != nil || k.ID != id {
		t.Fatalf("at 0.6 TTL: %v %v", k, err)
	}
	waitUntil(t, func() bool { return g.lookUps.Load() == 2 })
	// Revoked and forgotten while that look-up is held: it must not
	// bring back the key as it read it.
	if err := g.Store.RevokeKey(ctx, id, now); err != nil {
		t.Fatal(err)
	}
	kc.forget()
	close(gate)
	g.mu.Lock()
	g.gate = nil
	g.mu.Unlock()
	time.Sleep(20 * time.Millisecond)
	if k, err := kc.get(ctx, d); err != nil || k.Revoked.IsZero() {
		t.Fatalf("after the revocation and forget: %v %v, want the revoked key", k, err)
	}
}
