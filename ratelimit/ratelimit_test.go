package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"riskgraph/cache/redistest"
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// limits runs the behaviour both limiters share: limit requests per window
// and id, refusals with the time left in the window, a fresh window after.
func limits(t *testing.T, newLimiter func(limit int, window time.Duration, now func() time.Time) Limiter) {
	ctx := context.Background()
	clk := &clock{time.Date(2026, 11, 28, 9, 0, 15, 0, time.UTC)}
	l := newLimiter(2, time.Minute, clk.now)
	id := fmt.Sprintf("id-%d", time.Now().UnixNano())
	for i, want := range []Decision{{Allowed: true, Limit: 2, Remaining: 1}, {Allowed: true, Limit: 2, Remaining: 0},
		{Allowed: false, Limit: 2, Remaining: 0, RetryAfter: 45 * time.Second}} {
		d, err := l.Allow(ctx, id)
		if err != nil || d != want {
			t.Errorf("request %d: %+v %v, want %+v", i, d, err, want)
		}
	}
	if d, _ := l.Allow(ctx, id+"-other"); !d.Allowed {
		t.Error("another id shares the count")
	}
	clk.t = clk.t.Add(44 * time.Second)
	if d, _ := l.Allow(ctx, id); d.Allowed || d.RetryAfter != time.Second {
		t.Errorf("late in the window: %+v", d)
	}
	clk.t = clk.t.Add(time.Second) // 09:01:00, the next window
	if d, _ := l.Allow(ctx, id); !d.Allowed || d.Remaining != 1 {
		t.Errorf("next window: %+v", d)
	}
}

func TestLocal(t *testing.T) {
	limits(t, func(limit int, window time.Duration, now func() time.Time) Limiter {
		return NewLocal(limit, window, now)
	})
}

func TestRedis(t *testing.T) {
	c := redistest.Open(t).Client()
	ctx := context.Background()
	prefix := fmt.Sprintf("rg:test:rl:%d:", time.Now().UnixNano())
	limits(t, func(limit int, window time.Duration, now func() time.Time) Limiter {
		return NewRedis(c, limit, window, prefix, now)
	})
	keys, _ := c.Keys(ctx, prefix+"*").Result()
	if len(keys) == 0 {
		t.Fatal("no counter in Redis")
	}
	for _, k := range keys {
		if ttl := c.PTTL(ctx, k).Val(); ttl <= 0 || ttl > time.Minute+time.Second {
			t.Errorf("counter %s expires in %v; want within the window and a second", k, ttl)
		}
	}
	c.Del(ctx, keys...)
}

type failing struct{}

func (failing) Allow(context.Context, string) (Decision, error) {
	return Decision{}, errors.New("down")
}

func TestFallback(t *testing.T) {
	fell := 0
	f := &Fallback{Primary: failing{}, Secondary: NewLocal(1, time.Minute, nil), OnFallback: func(error) { fell++ }}
	if d, err := f.Allow(context.Background(), "k"); err != nil || !d.Allowed {
		t.Errorf("first: %+v %v", d, err)
	}
	if d, _ := f.Allow(context.Background(), "k"); d.Allowed {
		t.Error("the secondary's limit is not applied")
	}
	if fell != 2 {
		t.Errorf("fallbacks counted: %d, want 2", fell)
	}
}

func TestStrikes(t *testing.T) {
	now := time.Date(2026, 1, 1, 10, 0, 15, 0, time.UTC)
	s := NewStrikes(2, time.Minute, func() time.Time { return now })
	if !s.Check("a").Allowed {
		t.Fatal("fresh id refused")
	}
	s.Add("a")
	if d := s.Check("a"); !d.Allowed || d.Remaining != 1 {
		t.Errorf("after one failure: %+v", d)
	}
	s.Add("a")
	d := s.Check("a")
	if d.Allowed || d.RetryAfter != 45*time.Second {
		t.Errorf("after two failures: %+v, want refused for 45 s", d)
	}
	if !s.Check("b").Allowed {
		t.Error("another id is counted apart")
	}
	now = now.Add(time.Minute)
	if !s.Check("a").Allowed {
		t.Error("the next window starts afresh")
	}
}
