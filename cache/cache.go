// Package cache holds riskgraph's cache: Redis (go-redis v9) when a URL is
// configured, an in-process cache otherwise. Both satisfy Cache.
package cache

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
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

// Bounded defaults: a Redis that is down or slow must cost a request at
// most a few hundred milliseconds, after which the Guard stops asking it.
const (
	DefaultDialTimeout  = 500 * time.Millisecond
	DefaultReadTimeout  = 200 * time.Millisecond
	DefaultWriteTimeout = 200 * time.Millisecond
	DefaultPoolTimeout  = 300 * time.Millisecond
)

// ParseURL turns a Redis URL into options for go-redis's universal client:
//
//   - redis://[user:password@]host:port/db — one server (rediss:// for TLS);
//   - …?master_name=NAME&addr=host2:port… — Sentinel: the host and every
//     addr are sentinels, NAME the monitored master;
//   - …?cluster=true&addr=host2:port… — Cluster: the host and every addr
//     are seed nodes (two or more addrs imply a cluster).
//
// go-redis's own query options (dial_timeout, read_timeout, write_timeout,
// pool_size, pool_timeout, max_retries, …) are accepted; the timeouts
// default to the bounded values above instead of go-redis's seconds.
func ParseURL(raw string) (*redis.UniversalOptions, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("redis url does not parse (want redis://[user:password@]host:port/db)")
	}
	q := u.Query()
	cluster := q.Get("cluster") == "true" || len(q["addr"]) > 0 && q.Get("master_name") == ""
	q.Del("cluster")
	u.RawQuery = q.Encode()
	var o *redis.UniversalOptions
	switch {
	case q.Get("master_name") != "":
		f, err := redis.ParseFailoverURL(u.String())
		if err != nil {
			return nil, redact(err, raw)
		}
		o = &redis.UniversalOptions{Addrs: f.SentinelAddrs, MasterName: f.MasterName, DB: f.DB,
			Username: f.Username, Password: f.Password, SentinelUsername: f.SentinelUsername, SentinelPassword: f.SentinelPassword,
			TLSConfig: f.TLSConfig, DialTimeout: f.DialTimeout, ReadTimeout: f.ReadTimeout, WriteTimeout: f.WriteTimeout,
			PoolSize: f.PoolSize, PoolTimeout: f.PoolTimeout, MaxRetries: f.MaxRetries, MinIdleConns: f.MinIdleConns}
	case cluster:
		c, err := redis.ParseClusterURL(u.String())
		if err != nil {
			return nil, redact(err, raw)
		}
		o = &redis.UniversalOptions{Addrs: c.Addrs, IsClusterMode: true, Username: c.Username, Password: c.Password,
			TLSConfig: c.TLSConfig, DialTimeout: c.DialTimeout, ReadTimeout: c.ReadTimeout, WriteTimeout: c.WriteTimeout,
			PoolSize: c.PoolSize, PoolTimeout: c.PoolTimeout, MaxRetries: c.MaxRetries, MinIdleConns: c.MinIdleConns}
	default:
		s, err := redis.ParseURL(u.String())
		if err != nil {
			return nil, redact(err, raw)
		}
		o = &redis.UniversalOptions{Addrs: []string{s.Addr}, DB: s.DB, Username: s.Username, Password: s.Password,
			TLSConfig: s.TLSConfig, DialTimeout: s.DialTimeout, ReadTimeout: s.ReadTimeout, WriteTimeout: s.WriteTimeout,
			PoolSize: s.PoolSize, PoolTimeout: s.PoolTimeout, MaxRetries: s.MaxRetries, MinIdleConns: s.MinIdleConns}
	}
	set := func(name string, d *time.Duration, def time.Duration) {
		if !q.Has(name) {
			*d = def
		}
	}
	set("dial_timeout", &o.DialTimeout, DefaultDialTimeout)
	set("read_timeout", &o.ReadTimeout, DefaultReadTimeout)
	set("write_timeout", &o.WriteTimeout, DefaultWriteTimeout)
	set("pool_timeout", &o.PoolTimeout, DefaultPoolTimeout)
	if !q.Has("max_retries") {
		o.MaxRetries = 1
	}
	return o, nil
}

// redact keeps a password in the URL out of an error message.
func redact(err error, raw string) error {
	msg := err.Error()
	if u, perr := url.Parse(raw); perr == nil && u.User != nil {
		if p, ok := u.User.Password(); ok && p != "" {
			msg = strings.ReplaceAll(msg, p, "***")
		}
	}
	return fmt.Errorf("redis url: %s (want redis://[user:password@]host:port/db)", msg)
}

// OpenRedis connects to the Redis that url names (see ParseURL) and pings it.
func OpenRedis(ctx context.Context, url string) (*Redis, error) {
	r, err := NewRedis(url)
	if err != nil {
		return nil, err
	}
	if err := r.Ping(ctx); err != nil {
		r.c.Close()
		return nil, err
	}
	return r, nil
}

// NewRedis returns a client of the Redis that url names without contacting
// it: commands connect (and reconnect) as they go. A server that must start
// while Redis is down uses it behind a Guard.
func NewRedis(url string) (*Redis, error) {
	opt, err := ParseURL(url)
	if err != nil {
		return nil, err
	}
	return &Redis{c: redis.NewUniversalClient(opt)}, nil
}

// Client returns the underlying client, for rankings and rate limits.
func (r *Redis) Client() redis.UniversalClient { return r.c }

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
	var err error
	switch {
	case len(keys) == 0:
		return nil
	case len(keys) == 1 || !r.Cluster():
		err = r.c.Del(ctx, keys...).Err()
	default:
		// A cluster refuses a DEL of keys in different hash slots
		// (CROSSSLOT): one DEL per key, pipelined — one round trip per node.
		p := r.c.Pipeline()
		for _, k := range keys {
			p.Del(ctx, k)
		}
		_, err = p.Exec(ctx)
	}
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return nil
}

// Cluster reports whether the client speaks to a Redis Cluster.
func (r *Redis) Cluster() bool {
	_, ok := r.c.(*redis.ClusterClient)
	return ok
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
