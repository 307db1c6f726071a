// Package ratelimit limits requests per API key in fixed windows: in Redis
// when there is one, shared by every API replica (Shared: tokens reserved
// from the window's counter in blocks, so that a request makes at most one
// Redis call and usually none; Redis: one call per request), in process
// otherwise or while Redis does not answer (Local, Fallback).
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

// Strikes counts failures (such as requests without a valid API key) per
// id in fixed windows, in process. Check says whether id may still try,
// without counting; Add counts one failure. It holds at most maxStrikeIDs
// ids per window: ids beyond them are not counted until the next window.
type Strikes struct {
	limit  int
	window time.Duration
	now    func() time.Time
	mu     sync.Mutex
	start  time.Time
	counts map[string]int
}

const maxStrikeIDs = 100_000

// NewStrikes allows limit failures per window and id; now is the clock
// (time.Now when nil).
func NewStrikes(limit int, window time.Duration, now func() time.Time) *Strikes {
	if now == nil {
		now = time.Now
	}
	return &Strikes{limit: limit, window: window, now: now, counts: map[string]int{}}
}

// roll starts a new window when the current one has ended; s.mu is held.
func (s *Strikes) roll(now time.Time) time.Time {
	start := now.Truncate(s.window)
	if !start.Equal(s.start) {
		s.start, s.counts = start, map[string]int{}
	}
	return start
}

// Check reports whether id is under its limit of failures in this window.
func (s *Strikes) Check(id string) Decision {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	start := s.roll(now)
	n := s.counts[id]
	d := Decision{Allowed: n < s.limit, Limit: s.limit, Remaining: max(s.limit-n, 0)}
	if !d.Allowed {
		d.RetryAfter = max(start.Add(s.window).Sub(now), time.Millisecond)
	}
	return d
}

// Add counts a failure of id.
func (s *Strikes) Add(id string) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.roll(now)
	if _, ok := s.counts[id]; ok || len(s.counts) < maxStrikeIDs {
		s.counts[id]++
	}
}
