package server

import (
	"context"
	"time"
)

// Filling the Redis cache after the answer is sent. On a miss the handler's
// body goes to the client at once; the copy Redis keeps (gzip-compressed
// when large, cachedbody.go) is made by a background worker, so neither the
// compression nor the Redis round trip is on the request's path. The plain
// body goes into the in-process tier at once, so that this replica's next
// identical request is a hit before the worker has run; the worker then
// replaces it there with the stored copy (five times smaller for a large
// answer), so plain bodies are held only while their copy waits.
//
// Bounds: one worker (at most one core), fillQueue answers waiting; when
// the queue is full the request makes its copy itself, as before, so no
// answer goes uncached and the queue never holds more than fillQueue bodies.
// Without the in-process tier (Options.NearCache < 0: every look-up goes to
// Redis) or without Redis, the copy is made on the request's path as before.
//
// Correctness under invalidation: a copy is stored under the key the miss
// computed, which carries the data version and run it was answered from
// (responseKey). A copy stored after a write or a new run moved the version
// lands under the old key, which no request asks for any more; it cannot
// answer for the new data (TestCacheFillAfterWrite).

// fillQueue is how many answers may wait for the fill worker.
const fillQueue = 256

// cacheFill is one answer to copy into Redis.
type cacheFill struct {
	key  string
	body []byte // the body as written; read only
	ttl  time.Duration
}

// startFills starts the fill worker (with Redis and the in-process tier).
func (a *API) startFills() {
	a.fills = make(chan cacheFill, fillQueue)
	fills := a.fills
	go func() {
		for {
			select {
			case f := <-fills:
				a.fill(f)
				a.filling.Done()
			case <-a.stop:
				// Close: the waiting copies are only copies; drop them.
				for {
					select {
					case <-fills:
						a.filling.Done()
					default:
						return
					}
				}
			}
		}
	}()
}

// storeAnswer keeps a successful answer under key: in Redis (and the
// in-process tier) through the fill worker, or in the in-process cache
// without Redis.
func (a *API) storeAnswer(ctx context.Context, key string, body []byte, ttl time.Duration) {
	if a.fills == nil {
		a.storeNow(ctx, key, body, ttl)
		return
	}
	a.keepNear(ctx, key, body, ttl)
	f := cacheFill{key: key, body: body, ttl: ttl}
	a.filling.Add(1)
	select {
	case a.fills <- f:
	default:
		a.filling.Done()
		a.fill(f) // the queue is full: on the request's path, as before
	}
}

// fill stores f's copy in Redis and in the in-process tier.
func (a *API) fill(f cacheFill) { a.storeNow(context.Background(), f.key, f.body, f.ttl) }

// storeNow stores body's copy (compressed when Redis holds the cache) in
// the cache and the in-process tier, on the caller's goroutine.
func (a *API) storeNow(ctx context.Context, key string, body []byte, ttl time.Duration) {
	stored := storedBody(body, a.redis != nil)
	_ = a.cache.Set(context.WithoutCancel(ctx), key, stored, ttl)
	a.keepNear(ctx, key, stored, ttl)
}

// waitFills waits until every queued copy is in Redis (tests).
func (a *API) waitFills() { a.filling.Wait() }
