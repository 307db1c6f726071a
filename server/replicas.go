package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"

	"riskgraph/engine"
)

// Replicas of one deployment share the store and Redis. Three things each
// keeps in process go stale when a write goes through another replica:
// the data version that names cached answers (versions.go), the verified
// API keys (keyCache), and the engine result /risk and /owners read
// (Options.Engine), which a run on another replica replaces. A replica that took a write publishes it
// on one Redis Pub/Sub channel before it answers the request; every other
// replica drops its copy when the message arrives (within milliseconds),
// so a client that wrote through one replica does not read the old answer
// from another. A message lost while Redis is unreachable is made up by
// the TTLs: VersionTTL for data, KeyTTL for keys (docs/services.md,
// "Several replicas").
const invalidationChannel = "rg:invalidate"

// What an invalidation message names.
const (
	invalidData = "data" // a write to the data: drop the version
	invalidKeys = "keys" // a key created or revoked: drop the verified keys
	invalidRun  = "run"  // an engine run completed: drop the version, reload the result
)

// newReplicaID names this process in its own messages.
func newReplicaID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// announce tells the other replicas of a write through this one. Without
// Redis, or while it is marked down, it does nothing.
func (a *API) announce(ctx context.Context, what string) {
	if a.redis == nil {
		return
	}
	_ = a.cache.Try(context.WithoutCancel(ctx), func(ctx context.Context) error {
		return a.redis.Client().Publish(ctx, invalidationChannel, a.replica+" "+what).Err()
	})
}

// listenInvalidations applies the other replicas' messages until the API
// is closed; a.listening is closed once the subscription is confirmed.
// go-redis resubscribes by itself after a lost connection.
func (a *API) listenInvalidations() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { <-a.stop; cancel() }()
	sub := a.redis.Client().Subscribe(ctx, invalidationChannel)
	defer sub.Close()
	for {
		if _, err := sub.Receive(ctx); err == nil {
			break
		}
		select { // Redis down at start: try again
		case <-a.stop:
			return
		case <-time.After(time.Second):
		}
	}
	close(a.listening)
	ch := sub.Channel()
	for {
		select {
		case <-a.stop:
			return
		case m, ok := <-ch:
			if !ok {
				return
			}
			from, what, _ := strings.Cut(m.Payload, " ")
			if from == a.replica {
				continue
			}
			switch what {
			case invalidData:
				a.versions.invalidate()
			case invalidKeys:
				a.keys.forget()
			case invalidRun:
				a.versions.invalidate()
				a.reloadEngine()
			}
		}
	}
}

// AnnounceRun tells the other replicas that an engine run completed on this
// one (after it is recorded completed and served here): each drops its
// data version and reloads its engine result from the store
// (engine.Restore), so that its /risk and /owners answer the new run too.
// Without Redis, or while it is marked down, only this replica's version
// is dropped; the others keep their result until their next restart or run.
func (a *API) AnnounceRun(ctx context.Context) {
	a.versions.invalidate()
	a.announce(ctx, invalidRun)
}

// reloadEngine asks for a reload of the engine result; requests that
// arrive while one runs make one more reload after it, not one each.
func (a *API) reloadEngine() {
	if a.reload == nil {
		return
	}
	select {
	case a.reload <- struct{}{}:
	default: // one is already pending
	}
}

// engineReloads rebuilds the engine result of the newest completed run
// (engine.Restore: projection and computation, nothing written) each time
// another replica announces a run, until the API is closed. A result this
// replica publishes meanwhile (its own run) is never replaced by one
// restored before it.
func (a *API) engineReloads() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { <-a.stop; cancel() }()
	for {
		select {
		case <-a.stop:
			return
		case <-a.reload:
		}
		start := time.Now()
		old := a.opts.Engine.Get()
		res, run, err := engine.Restore(ctx, a.store)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			a.log.Warn().Err(err).Msg("another replica announced an engine run; reloading its result failed, /risk keeps the previous one")
		case a.opts.Engine.CompareAndSet(old, res):
			a.log.Info().Str("run", run.ID).Dur("took", time.Since(start)).Msg("engine result reloaded: a run completed on another replica")
		default:
			a.log.Info().Str("run", run.ID).Msg("engine result not reloaded: this replica published a newer one meanwhile")
		}
	}
}
