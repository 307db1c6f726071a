package cache

import (
	"container/list"
	"context"
	"errors"
	"sync"
	"time"
)

// Local is an in-process cache with a bound on entries, evicting the least
// recently used. It is the default when no Redis is configured.
type Local struct {
	mu    sync.Mutex
	max   int
	now   func() time.Time
	order *list.List // front = most recently used
	items map[string]*list.Element
}

type localItem struct {
	key     string
	val     []byte
	expires time.Time
}

var _ Cache = (*Local)(nil)

// NewLocal returns a cache holding at most maxEntries; now is its clock
// (time.Now when nil).
func NewLocal(maxEntries int, now func() time.Time) *Local {
	if now == nil {
		now = time.Now
	}
	if maxEntries < 1 {
		maxEntries = 1
	}
	return &Local{max: maxEntries, now: now, order: list.New(), items: map[string]*list.Element{}}
}

// Get implements Cache.
func (l *Local) Get(_ context.Context, key string) ([]byte, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	el, ok := l.items[key]
	if !ok {
		return nil, false, nil
	}
	it := el.Value.(*localItem)
	if !l.now().Before(it.expires) {
		l.order.Remove(el)
		delete(l.items, key)
		return nil, false, nil
	}
	l.order.MoveToFront(el)
	return append([]byte(nil), it.val...), true, nil
}

// View is Get for a caller that only reads the value (sends it): it
// returns the stored bytes themselves, not a copy, so it allocates
// nothing. The caller must not modify them; the cache never does (Set
// stores a copy and replaces, never writes into, a stored value).
func (l *Local) View(key string) ([]byte, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	el, ok := l.items[key]
	if !ok {
		return nil, false
	}
	it := el.Value.(*localItem)
	if !l.now().Before(it.expires) {
		l.order.Remove(el)
		delete(l.items, key)
		return nil, false
	}
	l.order.MoveToFront(el)
	return it.val, true
}

// Set implements Cache.
func (l *Local) Set(_ context.Context, key string, val []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return errors.New("cache: ttl must be positive")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	it := &localItem{key: key, val: append([]byte(nil), val...), expires: l.now().Add(ttl)}
	if el, ok := l.items[key]; ok {
		el.Value = it
		l.order.MoveToFront(el)
		return nil
	}
	l.items[key] = l.order.PushFront(it)
	for l.order.Len() > l.max {
		last := l.order.Back()
		l.order.Remove(last)
		delete(l.items, last.Value.(*localItem).key)
	}
	return nil
}

// Delete implements Cache.
func (l *Local) Delete(_ context.Context, keys ...string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		if el, ok := l.items[k]; ok {
			l.order.Remove(el)
			delete(l.items, k)
		}
	}
	return nil
}

// Ping implements Cache.
func (l *Local) Ping(context.Context) error { return nil }

// Backend implements Cache.
func (l *Local) Backend() string { return "local" }

// Close implements Cache.
func (l *Local) Close() error { return nil }
