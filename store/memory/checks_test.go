package memory

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"riskgraph/store"
)

// TestChecksSurviveRestartAndCompaction: stored checks are replayed from
// the journal, and a compaction rewrites them unchanged.
func TestChecksSurviveRestartAndCompaction(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	open := func() *Store { return openDirStore(t, dir) }
	body := json.RawMessage(`{"id":"chk-1","result":{"verdict":"restricted"}}`)
	at := time.Date(2026, 11, 2, 7, 0, 0, 0, time.UTC)
	s := open()
	if err := s.SaveChecks(ctx, []store.CreditCheck{{ID: "chk-1", Created: at, KeyID: "k1", Scenario: "bidding",
		Subject: "enterprise:x", Verdict: "restricted", Catalogue: "2026.1", EvidenceSHA256: "ab", Body: body}}); err != nil {
		t.Fatal(err)
	}
	check := func(s *Store, when string) {
		t.Helper()
		c, err := s.Check(ctx, "chk-1")
		if err != nil || string(c.Body) != string(body) || c.Verdict != "restricted" || !c.Created.Equal(at) || c.KeyID != "k1" {
			t.Fatalf("%s: %+v %s %v", when, c, c.Body, err)
		}
	}
	check(s, "before restart")
	s.Close()
	s = open()
	check(s, "after restart")
	if _, err := s.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open()
	defer s.Close()
	check(s, "after compaction and restart")
	if n, _ := s.CheckCounts(ctx, store.CheckQuery{}); len(n) != 1 || n[0].Count != 1 {
		t.Errorf("counts after compaction: %v", n)
	}
}
