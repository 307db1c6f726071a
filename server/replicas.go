package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"
)

// Replicas of one deployment share the store and Redis. Two things each
// keeps in process go stale when a write goes through another replica:
// the data version that names cached answers (versions.go) and the
// verified API keys (keyCache). A replica that took a write publishes it
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
			}
		}
	}
}
