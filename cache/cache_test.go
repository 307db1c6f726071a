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

func TestRedis(t *testing.T) {
	url := os.Getenv("REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := OpenRedis(ctx, url)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("Redis is required under CI (run make services-up): %v", err)
		}
		t.Skipf("no Redis at %s (run make services-up): %v", url, err)
	}
	defer c.Close()
	t.Logf("Redis reached at %s", url)
	prefix := fmt.Sprintf("riskgraph:test:%d:", time.Now().UnixNano())
	conformance(t, c, prefix, time.Sleep)
}

func TestOpenRedisBadURL(t *testing.T) {
	if _, err := OpenRedis(context.Background(), "http://nope"); err == nil {
		t.Error("a non-redis URL was accepted")
	}
}
