package lease

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"riskgraph/cache"
	"riskgraph/cache/redistest"
)

// lockerCase is a Locker and a way to wait until the first lease lapsed.
type lockerCase struct {
	l      Locker
	expire func(t *testing.T, l Locker)
}

// Every locker passes the same cases: Local with a clock the test moves,
// Redis (the real single server and the real cluster) with short leases
// and polling.
func TestLockers(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)
	local := &Local{Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }}
	lapse := func(t *testing.T, l Locker) {
		for i := 0; ; i++ { // polling, no timing assertion
			if held, _ := l.Held(context.Background(), "a"); !held {
				return
			}
			if i == 200 {
				t.Fatal("the lease never expired")
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	key := "riskgraph:test:lease:" + time.Now().Format("150405.000000000")
	lockers := map[string]lockerCase{
		"local":   {local, func(*testing.T, Locker) { mu.Lock(); now = now.Add(time.Second); mu.Unlock() }},
		"redis":   {New(redistest.Open(t).Client(), key), lapse},
		"cluster": {New(redistest.OpenCluster(t).Client(), key), lapse},
	}
	for name, c := range lockers {
		t.Run(name, func(t *testing.T) {
			ctx, l := context.Background(), c.l
			if ok, err := l.Acquire(ctx, "a", 300*time.Millisecond); !ok || err != nil {
				t.Fatalf("acquire a free lock: %v %v", ok, err)
			}
			if ok, _ := l.Acquire(ctx, "b", time.Minute); ok {
				t.Fatal("a second holder while the lease runs")
			}
			if ok, _ := l.Renew(ctx, "b", time.Minute); ok {
				t.Fatal("a non-holder renewed")
			}
			if err := l.Release(ctx, "b"); err != nil {
				t.Fatal(err)
			}
			if held, _ := l.Held(ctx, "a"); !held {
				t.Fatal("a non-holder's release freed the lock")
			}
			c.expire(t, l)
			if ok, _ := l.Acquire(ctx, "b", time.Minute); !ok {
				t.Fatal("the lapsed lease was not free")
			}
			if ok, _ := l.Renew(ctx, "a", time.Minute); ok {
				t.Error("the expired holder renewed")
			}
			if err := l.Release(ctx, "a"); err != nil {
				t.Fatal(err)
			}
			if held, _ := l.Held(ctx, "b"); !held {
				t.Error("the old holder's release freed the new holder's lock")
			}
			if err := l.Release(ctx, "b"); err != nil {
				t.Fatal(err)
			}
			if held, _ := l.Held(ctx, "b"); held {
				t.Error("release did not free the lock")
			}
		})
	}
}

// Keep renews while it runs, and reports a lease taken by someone else;
// on the single Redis and on the cluster.
func TestKeep(t *testing.T) {
	redistest.Each(t, func(t *testing.T, r *cache.Redis) { testKeep(t, r) })
}

func testKeep(t *testing.T, r *cache.Redis) {
	l := New(r.Client(), "riskgraph:test:keep:"+time.Now().Format("150405.000000000"))
	ctx := context.Background()
	const ttl = 1200 * time.Millisecond
	if ok, err := l.Acquire(ctx, "a", ttl); !ok || err != nil {
		t.Fatal(ok, err)
	}
	lost := make(chan error, 1)
	stop := Keep(l, "a", ttl, func(err error) { lost <- err })
	for range 5 { // two and a half leases long: held only if renewed
		time.Sleep(ttl / 2)
		if held, _ := l.Held(ctx, "a"); !held {
			t.Fatal("the kept lease lapsed")
		}
	}
	stop()
	_ = l.Release(ctx, "a")
	if ok, _ := l.Acquire(ctx, "b", time.Minute); !ok {
		t.Fatal(ok)
	}
	stop = Keep(l, "a", ttl, func(err error) { lost <- err })
	defer stop()
	select {
	case err := <-lost:
		if !errors.Is(err, ErrLost) {
			t.Fatalf("lost with %v, want ErrLost", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a lease taken by another token was never reported lost")
	}
	_ = l.Release(ctx, "b")
}
