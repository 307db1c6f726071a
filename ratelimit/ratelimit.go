// Package ratelimit limits requests per API key in fixed windows: in Redis
// when there is one (shared by every API replica), in process otherwise or
// while Redis does not answer.
package ratelimit

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Decision is the answer for one request.
type Decision struct {
	Allowed   bool
	Limit     int
	Remaining int
	// RetryAfter is the time until the window ends (when refused).
	RetryAfter time.Duration
}

// Limiter decides whether a request by id may proceed.
type Limiter interface {
	Allow(ctx context.Context, id string) (Decision, error)
}

// decide builds the decision for the n-th request of a window ending in left.
func decide(n int64, limit int, left time.Duration) Decision {
	d := Decision{Allowed: n <= int64(limit), Limit: limit, Remaining: max(limit-int(n), 0)}
	if !d.Allowed {
		d.RetryAfter = max(left, time.Millisecond)
	}
	return d
}

// Local counts in process. It forgets windows that ended.
type Local struct {
	limit  int
	window time.Duration
	now    func() time.Time
	mu     sync.Mutex
	start  time.Time
	counts map[string]int64
}

// NewLocal allows limit requests per window and id; now is the clock
// (time.Now when nil).
func NewLocal(limit int, window time.Duration, now func() time.Time) *Local {
	if now == nil {
		now = time.Now
	}
	return &Local{limit: limit, window: window, now: now, counts: map[string]int64{}}
}

// Allow implements Limiter.
func (l *Local) Allow(_ context.Context, id string) (Decision, error) {
	now := l.now()
	start := now.Truncate(l.window)
	l.mu.Lock()
	defer l.mu.Unlock()
	if !start.Equal(l.start) {
		l.start, l.counts = start, map[string]int64{}
	}
	l.counts[id]++
	return decide(l.counts[id], l.limit, start.Add(l.window).Sub(now)), nil
}

// incr increments the window's counter and sets its expiry on first use.
var incr = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`)

// Redis counts in Redis: one key per id and window, expiring with it.
type Redis struct {
	c      redis.UniversalClient
	limit  int
	window time.Duration
	prefix string
	now    func() time.Time
}

// NewRedis allows limit requests per window and id, counted under keys
// starting with prefix.
func NewRedis(c redis.UniversalClient, limit int, window time.Duration, prefix string, now func() time.Time) *Redis {
	if now == nil {
		now = time.Now
	}
	return &Redis{c: c, limit: limit, window: window, prefix: prefix, now: now}
}

// Allow implements Limiter.
func (r *Redis) Allow(ctx context.Context, id string) (Decision, error) {
	now := r.now()
	start := now.Truncate(r.window)
	key := fmt.Sprintf("%s%s:%d", r.prefix, id, start.UnixMilli())
	n, err := incr.Run(ctx, r.c, []string{key}, (r.window + time.Second).Milliseconds()).Int64()
	if err != nil {
		return Decision{}, err
	}
	return decide(n, r.limit, start.Add(r.window).Sub(now)), nil
}

// Fallback asks Primary and, when it fails, Secondary; OnFallback is called
// for each decision Secondary took.
type Fallback struct {
	Primary, Secondary Limiter
	OnFallback         func(error)
}

// Allow implements Limiter.
func (f *Fallback) Allow(ctx context.Context, id string) (Decision, error) {
	d, err := f.Primary.Allow(ctx, id)
	if err == nil {
		return d, nil
	}
	if f.OnFallback != nil {
		f.OnFallback(err)
	}
	return f.Secondary.Allow(ctx, id)
}
