package cache

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"
)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// conformance runs the behaviour every Cache shares. advance moves the
// cache's notion of time forward (for Redis, by sleeping).
func conformance(t *testing.T, c Cache, prefix string, advance func(time.Duration)) {
	ctx := context.Background()
	k := func(s string) string { return prefix + s }
	if err := c.Ping(ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
	if _, ok, err := c.Get(ctx, k("absent")); ok || err != nil {
		t.Errorf("absent key: ok=%v err=%v", ok, err)
	}
	if err := c.Set(ctx, k("a"), []byte("企业"), time.Second); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := c.Get(ctx, k("a")); !ok || err != nil || string(v) != "企业" {
		t.Errorf("get a: %q %v %v", v, ok, err)
	}
	if err := c.Set(ctx, k("a"), []byte("v2"), time.Second); err != nil {
		t.Fatal(err)
	}
	if v, _, _ := c.Get(ctx, k("a")); string(v) != "v2" {
		t.Errorf("overwrite: %q", v)
	}
	if err := c.Set(ctx, k("x"), []byte("1"), 0); err == nil {
		t.Error("zero ttl accepted")
	}
	if err := c.Delete(ctx, k("a"), k("never")); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := c.Get(ctx, k("a")); ok {
		t.Error("deleted key still present")
	}
	if err := c.Set(ctx, k("ttl"), []byte("1"), 100*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	advance(250 * time.Millisecond)
	if _, ok, _ := c.Get(ctx, k("ttl")); ok {
		t.Error("expired key still present")
	}
}

func TestLocal(t *testing.T) {
	clk := &clock{time.Unix(0, 0)}
	c := NewLocal(100, clk.now)
	conformance(t, c, "", func(d time.Duration) { clk.t = clk.t.Add(d) })
}

// TestLocalView: View returns what Set stored — not the caller's slice,
// so the caller changing its buffer afterwards changes nothing — and
// nothing once the entry has expired.
func TestLocalView(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	l := NewLocal(10, func() time.Time { return now })
	buf := []byte("answer")
	if err := l.Set(context.Background(), "k", buf, time.Second); err != nil {
		t.Fatal(err)
	}
	buf[0] = 'X'
	if v, ok := l.View("k"); !ok || string(v) != "answer" {
		t.Fatalf("View: %q %v; want answer", v, ok)
	}
	if _, ok := l.View("other"); ok {
		t.Error("View of a key never set: found")
	}
	now = now.Add(time.Second)
	if v, ok := l.View("k"); ok {
		t.Errorf("View after the TTL: %q", v)
	}
}

func TestLocalEvictsLeastRecentlyUsed(t *testing.T) {
	ctx := context.Background()
	c := NewLocal(2, nil)
	c.Set(ctx, "a", []byte("1"), time.Hour)
	c.Set(ctx, "b", []byte("2"), time.Hour)
	c.Get(ctx, "a")
	c.Set(ctx, "c", []byte("3"), time.Hour)
	if _, ok, _ := c.Get(ctx, "b"); ok {
		t.Error("b was least recently used and should be evicted")
	}
	for _, k := range []string{"a", "c"} {
		if _, ok, _ := c.Get(ctx, k); !ok {
			t.Errorf("%s evicted", k)
		}
	}
}

// TestRedis runs the conformance cases on the single Redis and on the
// Redis Cluster (REDIS_URL, REDIS_CLUSTER_URL; see cache/redistest, which
// this package's tests cannot import).
func TestRedis(t *testing.T) {
	for _, c := range []struct{ name, env, def string }{
		{"single", "REDIS_URL", "redis://127.0.0.1:6379/0"},
		{"cluster", "REDIS_CLUSTER_URL", "redis://127.0.0.1:7001?addr=127.0.0.1:7002&addr=127.0.0.1:7003"},
	} {
		t.Run(c.name, func(t *testing.T) {
			url := os.Getenv(c.env)
			if url == "" {
				url = c.def
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			r, err := OpenRedis(ctx, url)
			if err != nil {
				if os.Getenv("CI") != "" {
					t.Fatalf("Redis is required under CI (run make services-up): %v", err)
				}
				t.Skipf("no Redis at %s (run make services-up): %v", url, err)
			}
			defer r.Close()
			if r.Cluster() != (c.name == "cluster") {
				t.Fatalf("%s=%s: cluster client %v", c.env, url, r.Cluster())
			}
			prefix := fmt.Sprintf("riskgraph:test:%d:", time.Now().UnixNano())
			conformance(t, r, prefix, time.Sleep)
			// Keys in different hash slots (on a cluster, different nodes)
			// are deleted together.
			var keys []string
			for i := range 20 {
				k := fmt.Sprintf("%sdel:%d", prefix, i)
				keys = append(keys, k)
				if err := r.Set(ctx, k, []byte("x"), time.Minute); err != nil {
					t.Fatal(err)
				}
			}
			if err := r.Delete(ctx, keys...); err != nil {
				t.Fatalf("delete of %d keys: %v", len(keys), err)
			}
			for _, k := range keys {
				if _, ok, _ := r.Get(ctx, k); ok {
					t.Errorf("%s survived the delete", k)
				}
			}
		})
	}
}

func TestOpenRedisBadURL(t *testing.T) {
	if _, err := OpenRedis(context.Background(), "http://nope"); err == nil {
		t.Error("a non-redis URL was accepted")
	}
}
