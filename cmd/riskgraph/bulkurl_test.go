package main

import (
	"testing"
	"time"

	"riskgraph/cache"
)

// TestBulkRedisURL: the rankings' publish gets 10 s timeouts unless the
// URL sets its own, and keeps the rest of the URL (cluster seeds).
func TestBulkRedisURL(t *testing.T) {
	for _, c := range []struct {
		url        string
		read       time.Duration
		addrs, cls int
	}{
		{"redis://127.0.0.1:6379/0", 10 * time.Second, 1, 0},
		{"redis://127.0.0.1:6379/0?read_timeout=3s", 3 * time.Second, 1, 0},
		{"redis://127.0.0.1:7001?addr=127.0.0.1:7002&addr=127.0.0.1:7003", 10 * time.Second, 3, 1},
	} {
		o, err := cache.ParseURL(bulkRedisURL(c.url))
		if err != nil {
			t.Fatalf("%s: %v", c.url, err)
		}
		if o.ReadTimeout != c.read || o.WriteTimeout < 3*time.Second || len(o.Addrs) != c.addrs || o.IsClusterMode != (c.cls == 1) {
			t.Errorf("%s: read %v write %v addrs %v cluster %v", c.url, o.ReadTimeout, o.WriteTimeout, o.Addrs, o.IsClusterMode)
		}
	}
}
