package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"riskgraph/cache"
	"riskgraph/cache/redistest"
)

// Shared behaves as the other limiters do (a block of 1 at this limit: a
// Redis call per request, exact counts), on the single Redis and on the
// cluster.
func TestShared(t *testing.T) {
	redistest.Each(t, func(t *testing.T, r *cache.Redis) {
		prefix := fmt.Sprintf("rg:test:rls:%d:", time.Now().UnixNano())
		limits(t, func(limit int, window time.Duration, now func() time.Time) Limiter {
			s, err := NewShared(r.Client(), SharedOptions{Limit: limit, Window: window, Prefix: prefix, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		})
		keys := redistest.Keys(t, r.Client(), prefix+"*")
		if len(keys) == 0 {
			t.Fatal("no counter in Redis")
		}
		for _, k := range keys {
			if ttl := r.Client().PTTL(context.Background(), k).Val(); ttl <= 0 || ttl > time.Minute+time.Second {
				t.Errorf("counter %s expires in %v; want within the window and a second", k, ttl)
			}
		}
	})
}

// counted wraps each Redis call of a limiter to count it.
func counted(n *atomic.Int64) func(ctx context.Context, op func(ctx context.Context) error) error {
	return func(ctx context.Context, op func(ctx context.Context) error) error {
		n.Add(1)
		return op(ctx)
	}
}

// TestSharedReplicasHoldTheLimit: two limiters (two replicas) on one Redis,
// each hammered by eight clients with three times the limit in all. Together
// they admit no more than the limit, and no fewer than the limit less the
// tokens each may strand (2×Block per replica); Redis is called about once
// per block, not once per request. Then the documented bound on how fast a
// used-up window is seen: a replica that still holds tokens admits at most
// those before it refuses too.
func TestSharedReplicasHoldTheLimit(t *testing.T) {
	redistest.Each(t, func(t *testing.T, r *cache.Redis) {
		const limit, clients, perClient = 1000, 8, 190 // 2 × 8 × 190 = 3 040 requests
		now := time.Date(2026, 12, 6, 9, 0, 30, 0, time.UTC)
		clock := func() time.Time { return now } // one window throughout
		prefix := fmt.Sprintf("rg:test:rls2:%d:", time.Now().UnixNano())
		var calls [2]atomic.Int64
		replicas := make([]*Shared, 2)
		for i := range replicas {
			s, err := NewShared(r.Client(), SharedOptions{Limit: limit, Window: time.Minute, Prefix: prefix, Now: clock, Do: counted(&calls[i])})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			replicas[i] = s
		}
		block := replicas[0].Block()
		if block != 10 {
			t.Fatalf("block %d, want ceil(1000/100) = 10", block)
		}
		var admitted [2]atomic.Int64
		var wg sync.WaitGroup
		for i, s := range replicas {
			for range clients {
				wg.Go(func() {
					for range perClient {
						d, err := s.Allow(context.Background(), "key-1")
						if err != nil {
							t.Error(err)
							return
						}
						if d.Allowed {
							admitted[i].Add(1)
						} else if d.RetryAfter != 30*time.Second {
							t.Errorf("refused with Retry-After %v, want the 30 s left in the window", d.RetryAfter)
						}
					}
				})
			}
		}
		wg.Wait()
		total := admitted[0].Load() + admitted[1].Load()
		n := calls[0].Load() + calls[1].Load()
		t.Logf("admitted %d + %d of %d requests, limit %d; %d Redis calls", admitted[0].Load(), admitted[1].Load(), 2*clients*perClient, limit, n)
		if total > limit || total < limit-2*2*int64(block) {
			t.Errorf("admitted %d together; want at most the limit %d and at least %d", total, limit, limit-4*block)
		}
		if max := int64(limit/block + 2*2*clients); n > max {
			t.Errorf("%d Redis calls for %d requests; want at most %d (about one per block)", n, 2*clients*perClient, max)
		}
		counter, err := r.Client().Get(context.Background(), fmt.Sprintf("%skey-1:%d", prefix, now.Truncate(time.Minute).UnixMilli())).Int64()
		if err != nil || counter != limit {
			t.Errorf("the counter in Redis: %d %v, want the limit %d", counter, err, limit)
		}

		// A used-up window seen from a replica holding tokens: B takes a
		// block, A spends the rest of the window; B then admits at most
		// what it holds (2×Block) and refuses.
		a, b := replicas[0], replicas[1]
		if d, _ := b.Allow(context.Background(), "key-2"); !d.Allowed {
			t.Fatal("first request refused")
		}
		spentA := 0
		for {
			d, err := a.Allow(context.Background(), "key-2")
			if err != nil {
				t.Fatal(err)
			}
			if !d.Allowed {
				break
			}
			spentA++
			if spentA > limit {
				t.Fatal("A admitted more than the limit")
			}
		}
		after := 0
		for {
			d, _ := b.Allow(context.Background(), "key-2")
			if !d.Allowed {
				break
			}
			after++
			if after > 2*block {
				t.Fatalf("B admitted %d requests after the window was used up; the bound is 2×Block = %d", after, 2*block)
			}
		}
		if got := 1 + spentA + after; got > limit || got < limit-2*block {
			t.Errorf("key-2: %d admitted, want between %d and the limit %d", got, limit-2*block, limit)
		}
	})
}

// TestSharedFailsWithRedis: a Redis call that fails is the request's error
// (the server's Fallback then counts in process); Close stops the limiter.
func TestSharedFailsWithRedis(t *testing.T) {
	down := errors.New("redis down")
	s, err := NewShared(nil, SharedOptions{Limit: 10, Window: time.Minute,
		Do: func(context.Context, func(context.Context) error) error { return down }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Allow(context.Background(), "k"); !errors.Is(err, down) {
		t.Errorf("Allow with Redis down: %v, want its error", err)
	}
	if _, err := NewShared(nil, SharedOptions{Limit: 0, Window: time.Minute}); err == nil {
		t.Error("a limit of 0 was accepted")
	}
}

// BenchmarkAllow compares a Redis call per request (Redis) with tokens
// reserved in blocks (Shared), many requests of one key in parallel, on
// the single test Redis: go test -run - -bench Allow ./ratelimit/
func BenchmarkAllow(b *testing.B) {
	c := redistest.Open(b).Client()
	const limit = 1 << 40 // never reached: the cost of counting alone
	prefix := fmt.Sprintf("rg:test:rlbench:%d:", time.Now().UnixNano())
	shared, err := NewShared(c, SharedOptions{Limit: limit, Window: time.Hour, Prefix: prefix + "s:"})
	if err != nil {
		b.Fatal(err)
	}
	defer shared.Close()
	for name, l := range map[string]Limiter{"redis": NewRedis(c, limit, time.Hour, prefix+"r:", nil), "shared": shared} {
		b.Run(name, func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if d, err := l.Allow(context.Background(), "bench"); err != nil || !d.Allowed {
						b.Fatal(d, err)
					}
				}
			})
		})
	}
}
