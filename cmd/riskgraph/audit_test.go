package main

import (
	"context"
	"net/http"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"riskgraph/benchmarks/auditload"
)

// TestAuditSurvivesKill9UnderLoad: 32 connections send enterprises:batch
// requests of 1 000 keys as fast as serve answers; serve is killed with
// SIGKILL mid-load and restarted. Every request that got a 2xx answer has
// its entry in the audit log: none was answered before it was durable.
func TestAuditSurvivesKill9UnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	data := t.TempDir()
	key := createKey(t, data, "inspector")
	admin := createKey(t, data, "admin")
	sv := startServe(t, data, "--rate-limit", "-1")

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	done := make(chan auditload.Result, 1)
	go func() { done <- auditload.Fire(ctx, sv.base, key, 32, 1000, nil) }()
	time.Sleep(3 * time.Second)
	if err := sv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-sv.exited
	res := <-done
	answered := res.Answered2xx
	t.Logf("sent %d, statuses %v, transport errors after the kill %d", res.Sent, res.Statuses, res.Errors)
	if len(answered) < 50 {
		t.Fatalf("only %d requests answered 2xx before the kill; the test needs load to mean anything\n%s", len(answered), sv.stderr.String())
	}

	// Restart: the audit log opens after the kill (a torn tail is dropped)
	// and serves.
	sv = startServe(t, data)
	req, _ := http.NewRequest("GET", sv.base+"/api/v1/audit?route="+auditload.Route+"&limit=1", nil)
	req.Header.Set("Authorization", "Bearer "+admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET /audit after restart: %d\n%s", resp.StatusCode, sv.stderr.String())
	}
	sv.stop(t)

	audited, entries, err := auditload.Audited(filepath.Join(data, "audit"))
	if err != nil {
		t.Fatal(err)
	}
	missing := 0
	for _, m := range answered {
		if !audited[m] {
			missing++
			if missing <= 5 {
				t.Errorf("request %s was answered 2xx but has no audit entry", m)
			}
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d answered requests missing from the audit log", missing, len(answered))
	}
	t.Logf("%d answered 2xx, %d load entries in the audit log (requests in flight at the kill may be audited without an answer)", len(answered), entries)
}
