// Package redistest connects tests to a real Redis: the one server at
// REDIS_URL (default redis://127.0.0.1:6379/0) and the Redis Cluster at
// REDIS_CLUSTER_URL (default: the one scripts/redis-cluster-up.sh starts
// on 127.0.0.1:7001–7006). When one does not answer, tests that need it are
// skipped, unless CI is set: under CI a missing Redis or cluster fails the
// test, never skips it silently. Start both with scripts/services-up.sh
// (or make services-up). Tests share the servers: use keys with a unique
// prefix.
package redistest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"riskgraph/cache"
)

// URL is the single test server's URL.
func URL() string {
	if u := os.Getenv("REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

// ClusterURL is the test cluster's URL (seed nodes; see cache.ParseURL).
func ClusterURL() string {
	if u := os.Getenv("REDIS_CLUSTER_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:7001?addr=127.0.0.1:7002&addr=127.0.0.1:7003"
}

// Open connects to the single test Redis; the connection is closed when
// the test ends.
func Open(t testing.TB) *cache.Redis {
	t.Helper()
	return open(t, URL(), "Redis", "run make services-up")
}

// OpenCluster connects to the test Redis Cluster and checks that its state
// is ok; the connection is closed when the test ends.
func OpenCluster(t testing.TB) *cache.Redis {
	t.Helper()
	r := open(t, ClusterURL(), "Redis Cluster", "run scripts/redis-cluster-up.sh or make services-up")
	if !r.Cluster() {
		t.Fatalf("REDIS_CLUSTER_URL %s does not name a cluster (add ?cluster=true or more addr= seeds)", ClusterURL())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	info, err := r.Client().ClusterInfo(ctx).Result()
	if err != nil || !strings.Contains(info, "cluster_state:ok") {
		fail(t, fmt.Sprintf("the Redis Cluster at %s is not ok (%v): %.200s", ClusterURL(), err, info), "run scripts/redis-cluster-down.sh and scripts/redis-cluster-up.sh")
	}
	return r
}

// Each runs fn as two subtests, "single" against the single Redis and
// "cluster" against the Redis Cluster: the code under test must behave the
// same on both.
func Each(t *testing.T, fn func(t *testing.T, r *cache.Redis)) {
	t.Helper()
	for _, s := range Servers {
		t.Run(s.Name, func(t *testing.T) { fn(t, s.Open(t)) })
	}
}

// Servers are the two test deployments, for tests that open several
// connections to one (replicas with their own clients).
var Servers = []struct {
	Name string
	Open func(testing.TB) *cache.Redis
}{{"single", Open}, {"cluster", OpenCluster}}

func open(t testing.TB, url, what, hint string) *cache.Redis {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r, err := cache.OpenRedis(ctx, url)
	if err != nil {
		fail(t, fmt.Sprintf("no %s at %s: %v", what, url, err), hint)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// fail fails the test under CI and skips it otherwise.
func fail(t testing.TB, msg, hint string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s (required under CI; %s)", msg, hint)
	}
	t.Skipf("%s (%s)", msg, hint)
}

// Keys lists the keys matching pattern on every master: on a cluster a
// plain KEYS or SCAN reaches one node only.
func Keys(t testing.TB, c redis.UniversalClient, pattern string) []string {
	t.Helper()
	ctx := context.Background()
	var (
		mu  sync.Mutex
		out []string
	)
	scan := func(ctx context.Context, c redis.Cmdable) error {
		iter := c.Scan(ctx, 0, pattern, 1000).Iterator()
		for iter.Next(ctx) {
			mu.Lock()
			out = append(out, iter.Val())
			mu.Unlock()
		}
		return iter.Err()
	}
	var err error
	if cc, ok := c.(*redis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, n *redis.Client) error { return scan(ctx, n) })
	} else {
		err = scan(ctx, c)
	}
	if err != nil {
		t.Fatalf("listing keys %s: %v", pattern, err)
	}
	return out
}
