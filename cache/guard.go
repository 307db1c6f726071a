package cache

import (
	"context"
	"sync/atomic"
	"time"
)

// Guard wraps a Cache that may fail (Redis) so that the API keeps answering
// without it: after a failure the cache is marked down for Cooldown and not
// asked at all (Get reports a miss with ErrDown, Set and Delete do nothing);
// the first call after the cooldown tries again, and a success marks it up.
// Each call is also bounded by Timeout.
type Guard struct {
	c        Cache
	cooldown time.Duration
	timeout  time.Duration
	now      func() time.Time
	// downUntil is a Unix-nanosecond instant; 0 while up.
	downUntil atomic.Int64
	// OnError, when set, is called for each failed operation; OnState
	// when the cache goes down (false) or comes back (true).
	OnError func(error)
	OnState func(up bool)
}

var _ Cache = (*Guard)(nil)

// ErrDown is returned while the guard skips the cache.
var ErrDown = errorString("cache marked down; answering without it")

type errorString string

func (e errorString) Error() string { return string(e) }

// Is makes errors.Is(ErrDown, ErrUnavailable) true.
func (e errorString) Is(target error) bool { return target == ErrUnavailable }

// NewGuard guards c. cooldown and timeout default to 1 s and 250 ms.
func NewGuard(c Cache, cooldown, timeout time.Duration, now func() time.Time) *Guard {
	if cooldown <= 0 {
		cooldown = time.Second
	}
	if timeout <= 0 {
		timeout = 250 * time.Millisecond
	}
	if now == nil {
		now = time.Now
	}
	return &Guard{c: c, cooldown: cooldown, timeout: timeout, now: now}
}

// Up reports whether the cache is believed reachable.
func (g *Guard) Up() bool {
	d := g.downUntil.Load()
	return d == 0
}

// Inner returns the guarded cache.
func (g *Guard) Inner() Cache { return g.c }

// skip reports whether calls should not reach the cache now.
func (g *Guard) skip() bool {
	d := g.downUntil.Load()
	return d != 0 && g.now().UnixNano() < d
}

func (g *Guard) result(err error) error {
	if err == nil {
		if g.downUntil.Swap(0) != 0 && g.OnState != nil {
			g.OnState(true)
		}
		return nil
	}
	if g.OnError != nil {
		g.OnError(err)
	}
	if g.downUntil.Swap(g.now().Add(g.cooldown).UnixNano()) == 0 && g.OnState != nil {
		g.OnState(false)
	}
	return err
}

// Get implements Cache.
func (g *Guard) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if g.skip() {
		return nil, false, ErrDown
	}
	ctx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()
	v, ok, err := g.c.Get(ctx, key)
	return v, ok, g.result(err)
}

// Set implements Cache.
func (g *Guard) Set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	if g.skip() {
		return ErrDown
	}
	ctx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()
	return g.result(g.c.Set(ctx, key, val, ttl))
}

// Delete implements Cache.
func (g *Guard) Delete(ctx context.Context, keys ...string) error {
	if g.skip() {
		return ErrDown
	}
	ctx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()
	return g.result(g.c.Delete(ctx, keys...))
}

// Ping always asks the cache (readiness probes use it to notice recovery).
func (g *Guard) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()
	return g.result(g.c.Ping(ctx))
}

// Backend implements Cache.
func (g *Guard) Backend() string { return g.c.Backend() }

// Close implements Cache.
func (g *Guard) Close() error { return g.c.Close() }

// Try runs op against the cache unless it is marked down, recording the
// outcome like the Cache methods do. Rankings and rate limits use it for
// their own Redis commands.
func (g *Guard) Try(ctx context.Context, op func(ctx context.Context) error) error {
	if g.skip() {
		return ErrDown
	}
	ctx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()
	return g.result(op(ctx))
}
