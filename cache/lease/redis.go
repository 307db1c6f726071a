package lease

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is one named lock in Redis, shared by every replica that uses
// the same Redis and key.
type Redis struct {
	c   redis.UniversalClient
	key string
}

// New returns the lock stored under key.
func New(c redis.UniversalClient, key string) *Redis { return &Redis{c: c, key: key} }

var (
	renew = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) else return 0 end`)
	free  = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end`)
)

// Acquire takes the lock for token with a lease of ttl; false when another
// token holds it.
func (l *Redis) Acquire(ctx context.Context, token string, ttl time.Duration) (bool, error) {
	err := l.c.SetArgs(ctx, l.key, token, redis.SetArgs{Mode: "NX", TTL: ttl}).Err()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	return err == nil, err
}

// Renew extends the lease when token still holds the lock.
func (l *Redis) Renew(ctx context.Context, token string, ttl time.Duration) (bool, error) {
	n, err := renew.Run(ctx, l.c, []string{l.key}, token, ttl.Milliseconds()).Int()
	return n == 1, err
}

// Release frees the lock when token holds it.
func (l *Redis) Release(ctx context.Context, token string) error {
	return free.Run(ctx, l.c, []string{l.key}, token).Err()
}

// Held reports whether token holds the lock now.
func (l *Redis) Held(ctx context.Context, token string) (bool, error) {
	v, err := l.c.Get(ctx, l.key).Result()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	return v == token, err
}

// Holder returns the token holding the lock ("" when free).
func (l *Redis) Holder(ctx context.Context) (string, error) {
	v, err := l.c.Get(ctx, l.key).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	return v, err
}
