package server

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"riskgraph/auth"
	"riskgraph/cache"
	"riskgraph/cache/redistest"
	"riskgraph/models"
	"riskgraph/store/storetest"
)

// TestReplicasSeeEachOthersWrites: two APIs (replicas) on one store and one
// Redis, each trusting its data version and verified keys for an hour. A
// write through A — rows ingested, a key revoked — reaches B through A's
// message: B does not keep serving its cached answer, nor the revoked key.
// Without the message B would for the hour. On the single Redis and on the
// cluster.
func TestReplicasSeeEachOthersWrites(t *testing.T) {
	redistest.Each(t, func(t *testing.T, r *cache.Redis) {
		hasher, _ := models.NewPIDHasher([]byte("replicas-test-key-0123456789"))
		opts := Options{Cache: r, VersionTTL: time.Hour, KeyTTL: time.Hour, Hasher: hasher}
		a := newSecured(t, memStore(t), opts)
		opts.Store, opts.Logger = a.s, nopLogger()
		api := NewAPI(opts)
		t.Cleanup(api.Close)
		b := &secured{h: api.Handler(), api: api, s: a.s, keys: a.keys, ids: a.ids}
		for _, x := range []*secured{a, b} {
			select {
			case <-x.api.listening:
			case <-time.After(10 * time.Second):
				t.Fatal("a replica did not subscribe to the invalidation channel")
			}
		}

		url := "/api/v1/enterprises/" + storetest.B
		name := func(sc *secured) string {
			code, body, _ := sc.do(t, auth.Inspector, "GET", url, "")
			if code != 200 {
				t.Fatalf("GET %s: %d %v", url, code, body)
			}
			e, _ := body["enterprise"].(map[string]any)
			return fmt.Sprint(e["name"])
		}
		before := name(b)
		if again := name(b); again != before { // now cached on B
			t.Fatalf("B answered %q, then %q", before, again)
		}
		const renamed = "复制测试更名有限公司"
		code, _, raw := a.send(t, auth.Writer, "POST", "/api/v1/ingest/enterprises?source=replicas",
			"uscc,name\n"+storetest.B+","+renamed+"\n", "Content-Type", "text/csv")
		if code != 200 {
			t.Fatalf("ingest through A: %d %s", code, raw)
		}
		waitFor(t, "B to answer the name written through A", func() bool { return name(b) == renamed })

		// A key B has verified, revoked through A.
		if code, _, _ := b.do(t, auth.Inspector, "GET", url, ""); code != 200 {
			t.Fatalf("inspector key on B: %d", code)
		}
		if code, body, _ := a.do(t, auth.Admin, "POST", "/api/v1/keys/"+a.ids[auth.Inspector]+"/revoke", ""); code != 200 {
			t.Fatalf("revoke through A: %d %v", code, body)
		}
		waitFor(t, "B to refuse the key revoked through A", func() bool {
			code, body, _ := b.do(t, auth.Inspector, "GET", url, "")
			return code == 401 && strings.Contains(errMessage(body), "revoked")
		})
	})
}

// waitFor polls cond for up to 5 s (the messages take milliseconds; the
// TTLs they stand in for are an hour here) and logs how long it took.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > 5*time.Second {
			t.Fatalf("waited 5 s for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Logf("%s: %v", what, time.Since(start))
}
