package memory

import (
	"context"
	"testing"
	"time"

	"riskgraph/models"
	"riskgraph/store"
)

// TestCreditFileSurvivesRestartAndCompaction: commitments, objections
// (with their decisions) and repairs are replayed from the journal, and a
// compaction rewrites them unchanged.
func TestCreditFileSurvivesRestartAndCompaction(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	open := func() *Store { return openDirStore(t, dir) }
	at := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
	s := open()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.SaveCommitment(ctx, store.Commitment{ID: "cm-1", Subject: "enterprise:x", Scenario: "bidding", Text: "守信承诺",
		Date: models.NewDate(2025, 1, 1), ValidUntil: models.NewDate(2027, 1, 1), Created: at, KeyID: "k1"}))
	must(s.FileObjection(ctx, store.Objection{ID: "ob-1", RecordID: "r1", Subject: "enterprise:x", Reason: "错误", Filed: at, FiledBy: "k1", Status: store.ObjectionOpen}))
	_, err := s.DecideObjection(ctx, "ob-1", store.ObjectionDecision{Status: store.ObjectionUpheld, Outcome: store.OutcomeWithdrawn, By: "k2", At: at.Add(time.Hour)})
	must(err)
	must(s.SaveRepair(ctx, store.Repair{ID: "rp-1", RecordID: "r2", Subject: "enterprise:x", Date: models.NewDate(2026, 2, 1), Basis: "已履行", Created: at, KeyID: "k1"}))
	check := func(s *Store, when string) {
		t.Helper()
		cs, _ := s.Commitments(ctx, "enterprise:x")
		os, rs, err := s.RecordFiles(ctx, nil)
		if err != nil || len(cs) != 1 || len(os) != 1 || os[0].Status != store.ObjectionUpheld || os[0].Outcome != store.OutcomeWithdrawn ||
			len(rs) != 1 || rs[0].Date != models.NewDate(2026, 2, 1) {
			t.Fatalf("%s: %+v %+v %+v %v", when, cs, os, rs, err)
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
}
