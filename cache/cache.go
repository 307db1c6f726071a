// Package cache holds riskgraph's cache: Redis (go-redis v9) when a URL is
// configured, an in-process cache otherwise. Both satisfy Cache.
package cache

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Cache stores byte values under string keys with a time to live.
type Cache interface {
	// Get returns the value and true, or false when the key is absent or expired.
	Get(ctx context.Context, key string) ([]byte, bool, error)
	// Set stores val for ttl (> 0).
	Set(ctx context.Context, key string, val []byte, ttl time.Duration) error
	// Delete removes keys; absent keys are not an error.
	Delete(ctx context.Context, keys ...string) error
	// Ping reports whether the cache is reachable.
	Ping(ctx context.Context) error
	// Backend names the implementation ("redis" or "local").
	Backend() string
	Close() error
}

// ErrUnavailable wraps errors reaching the cache server.
var ErrUnavailable = errors.New("cache unavailable")

// Redis is a Cache on a Redis server, Sentinel group or cluster.
type Redis struct{ c redis.UniversalClient }

var _ Cache = (*Redis)(nil)

// OpenRedis connects to the Redis at url (redis:// or rediss://, with
// optional user, password and database) and pings it.
func OpenRedis(ctx context.Context, url string) (*Redis, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("redis url: %w (want redis://[user:password@]host:port/db)", err)
	}
	c := redis.NewUniversalClient(&redis.UniversalOptions{
		Addrs:     []string{opt.Addr},
		DB:        opt.DB,
		Username:  opt.Username,
		Password:  opt.Password,
		TLSConfig: opt.TLSConfig,
	})
	r := &Redis{c: c}
	if err := r.Ping(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return r, nil
}

// Get implements Cache.
func (r *Redis) Get(ctx context.Context, key string) ([]byte, bool, error) {
	v, err := r.c.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return v, true, nil
}

// Set implements Cache.
func (r *Redis) Set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return errors.New("cache: ttl must be positive")
	}
	if err := r.c.Set(ctx, key, val, ttl).Err(); err != nil {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return nil
}

// Delete implements Cache.
func (r *Redis) Delete(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	if err := r.c.Del(ctx, keys...).Err(); err != nil {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return nil
}

// Ping implements Cache.
func (r *Redis) Ping(ctx context.Context) error {
	if err := r.c.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return nil
}

// Backend implements Cache.
func (r *Redis) Backend() string { return "redis" }

// Close implements Cache.
func (r *Redis) Close() error { return r.c.Close() }
