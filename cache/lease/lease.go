// Package lease is riskgraph's one lock for work that must run once: a
// lease with an owner token. The token is the holder's fencing token:
// renewal, release and the fence check all compare it, so a holder whose
// lease expired cannot extend, release or act under a lock another
// holder has taken since. Redis keeps the lock across replicas (Redis);
// Local keeps it within one process when no Redis is configured.
package lease

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Locker is a lease lock with owner tokens.
type Locker interface {
	// Acquire takes the lock for token with a lease of ttl; false when
	// another token holds an unexpired lease.
	Acquire(ctx context.Context, token string, ttl time.Duration) (bool, error)
	// Renew extends the lease when token still holds it.
	Renew(ctx context.Context, token string, ttl time.Duration) (bool, error)
	// Release frees the lock when token holds it; otherwise nothing changes.
	Release(ctx context.Context, token string) error
	// Held reports whether token holds the lock now.
	Held(ctx context.Context, token string) (bool, error)
}

var (
	_ Locker = (*Redis)(nil)
	_ Locker = (*Local)(nil)
)

// Local is a Locker for a single process.
type Local struct {
	mu     sync.Mutex
	holder string
	until  time.Time
	// Now is the clock (default time.Now).
	Now func() time.Time
}

func (l *Local) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

// Acquire takes the lock when it is free or its lease expired.
func (l *Local) Acquire(_ context.Context, token string, ttl time.Duration) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.holder != "" && l.now().Before(l.until) {
		return false, nil
	}
	l.holder, l.until = token, l.now().Add(ttl)
	return true, nil
}

// Renew extends token's lease.
func (l *Local) Renew(_ context.Context, token string, ttl time.Duration) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.holder != token || !l.now().Before(l.until) {
		return false, nil
	}
	l.until = l.now().Add(ttl)
	return true, nil
}

// Release frees the lock held by token.
func (l *Local) Release(_ context.Context, token string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.holder == token {
		l.holder = ""
	}
	return nil
}

// Held reports whether token holds the lock.
func (l *Local) Held(_ context.Context, token string) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.holder == token && l.now().Before(l.until), nil
}

// ErrLost: the lease expired or another token took the lock.
var ErrLost = errors.New("lease lost")

// Keep renews token's lease every ttl/3 until stop is called. The first
// renewal that fails (Redis error) or is refused (ErrLost) is passed to
// lost and ends the renewals: the holder must assume the lock is gone.
func Keep(l Locker, token string, ttl time.Duration, lost func(error)) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tk := time.NewTicker(ttl / 3)
		defer tk.Stop()
		for {
			select {
			case <-done:
				return
			case <-tk.C:
				ctx, cancel := context.WithTimeout(context.Background(), ttl/3)
				ok, err := l.Renew(ctx, token, ttl)
				cancel()
				if err == nil && !ok {
					err = ErrLost
				}
				if err != nil {
					lost(err)
					return
				}
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
