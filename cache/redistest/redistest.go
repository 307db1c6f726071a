// Package redistest connects tests to a real Redis: the one at REDIS_URL
// (default redis://127.0.0.1:6379/0). When it does not answer, tests that
// need it are skipped, unless CI is set: under CI a missing Redis fails the
// test, never skips it silently. Start one with scripts/redis-up.sh (or
// make services-up). Tests share the server: use keys with a unique prefix.
package redistest

import (
	"context"
	"os"
	"testing"
	"time"

	"riskgraph/cache"
)

// URL is the test server's URL.
func URL() string {
	if u := os.Getenv("REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

// Open connects to the test Redis; the connection is closed when the test ends.
func Open(t testing.TB) *cache.Redis {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r, err := cache.OpenRedis(ctx, URL())
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("Redis is required under CI (run make services-up): %v", err)
		}
		t.Skipf("no Redis at %s (run make services-up): %v", URL(), err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}
