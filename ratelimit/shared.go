package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Shared counts each id's window in Redis, as Redis does, without a Redis
// round trip per request: each replica reserves tokens from the window's
// counter in blocks and spends them in process. The counter in Redis is
// the number of tokens handed out to all replicas together, and it never
// passes the limit, so neither do the requests admitted by all replicas
// together. What the blocks cost instead is that a replica may refuse
// while another still holds unspent tokens: at most 2×Block per replica
// and window (docs/services.md, "Rate limits across replicas").
//
// A request spends a token when its replica holds one; a replica left with
// half a block or less reserves the next block in the background, so that
// a steady stream of requests does not wait on Redis. A request that finds
// no token waits for the reservation in flight or makes one itself — one
// Redis call at most. Once Redis answers that the window is used up, the
// replica refuses the id's requests until the window ends without asking
// again.
type Shared struct {
	c      redis.UniversalClient
	limit  int
	window time.Duration
	prefix string
	block  int
	now    func() time.Time
	do     func(ctx context.Context, op func(ctx context.Context) error) error

	mu    sync.Mutex
	start time.Time          // the current window
	ids   map[string]*bucket // of the current window
	bg    sync.WaitGroup     // background reservations
	bgCtx context.Context
	stop  context.CancelFunc
}

// bucket is one id's tokens in the current window.
type bucket struct {
	tokens    int   // reserved by this replica, not spent
	counter   int64 // the window's counter in Redis at this replica's last reservation
	exhausted bool  // Redis refused: the window is used up
	// pending is closed when the reservation in flight ends (nil: none).
	pending chan struct{}
	// waiting counts requests waiting for tokens; err is the failure of
	// the last background reservation, for them.
	waiting int
	err     error
}

// SharedOptions configure a Shared limiter.
type SharedOptions struct {
	// Limit requests per Window and id (Limit ≥ 1, Window > 0).
	Limit  int
	Window time.Duration
	// Prefix of the counters' keys: Prefix + id + ":" + window start (Unix ms).
	Prefix string
	// Block is the number of tokens reserved per Redis call; default
	// ceil(Limit/100), at least 1.
	Block int
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Do runs each Redis call (the cache guard's Try, which bounds it and
	// skips Redis while it is down); nil runs it directly.
	Do func(ctx context.Context, op func(ctx context.Context) error) error
}

// reserve takes up to ARGV[2] tokens from the counter KEYS[1] (limit
// ARGV[1], expiry ARGV[3] ms, set when the counter is created) and returns
// {counter after, tokens granted}; 0 granted means the window is used up.
var reserve = redis.NewScript(`
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
local limit = tonumber(ARGV[1])
if n >= limit then return {n, 0} end
local g = math.min(tonumber(ARGV[2]), limit - n)
n = redis.call('INCRBY', KEYS[1], g)
if n == g then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return {n, g}`)

// NewShared returns a limiter counting in c; Close stops its background
// reservations.
func NewShared(c redis.UniversalClient, o SharedOptions) (*Shared, error) {
	if o.Limit < 1 || o.Window <= 0 {
		return nil, fmt.Errorf("ratelimit: limit %d per %v: give a limit of 1 or more and a positive window", o.Limit, o.Window)
	}
	if o.Block <= 0 {
		o.Block = max(1, (o.Limit+99)/100)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Do == nil {
		o.Do = func(ctx context.Context, op func(ctx context.Context) error) error { return op(ctx) }
	}
	ctx, stop := context.WithCancel(context.Background())
	return &Shared{c: c, limit: o.Limit, window: o.Window, prefix: o.Prefix, block: o.Block, now: o.Now, do: o.Do,
		ids: map[string]*bucket{}, bgCtx: ctx, stop: stop}, nil
}

// Block is the number of tokens reserved per Redis call.
func (s *Shared) Block() int { return s.block }

// Close stops the background reservations and waits for them.
func (s *Shared) Close() error {
	s.stop()
	s.bg.Wait()
	return nil
}

// Allow implements Limiter.
func (s *Shared) Allow(ctx context.Context, id string) (Decision, error) {
	waited := false
	for {
		now := s.now()
		start := now.Truncate(s.window)
		left := start.Add(s.window).Sub(now)
		s.mu.Lock()
		if !start.Equal(s.start) {
			s.start, s.ids = start, map[string]*bucket{}
		}
		b := s.ids[id]
		if b == nil {
			b = &bucket{}
			s.ids[id] = b
		}
		switch {
		case b.tokens > 0:
			b.tokens--
			if b.tokens*2 <= s.block && s.block > 1 && b.pending == nil && !b.exhausted {
				s.reserveLater(b, id, start)
			}
			d := Decision{Allowed: true, Limit: s.limit, Remaining: s.remaining(b)}
			s.mu.Unlock()
			return d, nil
		case b.exhausted:
			s.mu.Unlock()
			return Decision{Limit: s.limit, RetryAfter: max(left, time.Millisecond)}, nil
		case b.pending != nil && !waited:
			// Wait for the reservation in flight rather than make another.
			ch := b.pending
			b.waiting++
			s.mu.Unlock()
			select {
			case <-ch:
			case <-ctx.Done():
				s.mu.Lock()
				b.waiting--
				s.mu.Unlock()
				return Decision{}, ctx.Err()
			}
			s.mu.Lock()
			b.waiting--
			err := b.err
			if b.waiting == 0 {
				b.err = nil
			}
			s.mu.Unlock()
			if err != nil {
				return Decision{}, err
			}
			waited = true
			continue
		}
		// No token and none coming that this request may wait for: reserve
		// now, enough for the requests already waiting too.
		want := max(s.block, b.waiting+1)
		ch := make(chan struct{})
		b.pending = ch
		s.mu.Unlock()
		granted, counter, err := s.call(ctx, id, start, want)
		s.mu.Lock()
		s.settle(b, ch, granted, counter, err)
		if err != nil {
			s.mu.Unlock()
			return Decision{}, err
		}
		if b.tokens == 0 {
			s.mu.Unlock()
			return Decision{Limit: s.limit, RetryAfter: max(left, time.Millisecond)}, nil
		}
		b.tokens--
		d := Decision{Allowed: true, Limit: s.limit, Remaining: s.remaining(b)}
		s.mu.Unlock()
		return d, nil
	}
}

// remaining estimates the requests left in the window for all replicas:
// the tokens nobody reserved when this replica last asked, plus its own
// unspent ones. s.mu is held.
func (s *Shared) remaining(b *bucket) int {
	return max(s.limit-int(b.counter), 0) + b.tokens
}

// reserveLater reserves a block in the background; s.mu is held.
func (s *Shared) reserveLater(b *bucket, id string, start time.Time) {
	ch := make(chan struct{})
	b.pending = ch
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		granted, counter, err := s.call(s.bgCtx, id, start, s.block)
		s.mu.Lock()
		s.settle(b, ch, granted, counter, err)
		if err != nil && b.waiting > 0 {
			b.err = err
		}
		s.mu.Unlock()
	}()
}

// settle records a reservation's outcome and wakes its waiters; s.mu is held.
func (s *Shared) settle(b *bucket, ch chan struct{}, granted int, counter int64, err error) {
	if err == nil {
		b.tokens += granted
		b.counter = counter
		if granted == 0 {
			b.exhausted = true
		}
	}
	if b.pending == ch {
		b.pending = nil
	}
	close(ch)
}

// call reserves up to want tokens of id's window starting at start.
func (s *Shared) call(ctx context.Context, id string, start time.Time, want int) (granted int, counter int64, err error) {
	key := fmt.Sprintf("%s%s:%d", s.prefix, id, start.UnixMilli())
	err = s.do(ctx, func(ctx context.Context) error {
		v, err := reserve.Run(ctx, s.c, []string{key}, s.limit, want, (s.window + time.Second).Milliseconds()).Int64Slice()
		if err != nil {
			return err
		}
		if len(v) != 2 {
			return errors.New("ratelimit: unexpected answer of the reserve script")
		}
		counter, granted = v[0], int(v[1])
		return nil
	})
	return granted, counter, err
}
