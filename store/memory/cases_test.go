package memory

import (
	"context"
	"reflect"
	"testing"
	"time"

	"riskgraph/store"
	"riskgraph/store/storetest"
)

// TestCasesSurviveRestartAndCompaction: case files, their updates and
// archiving are replayed from the journal, and a compaction rewrites each
// case once, as last stored.
func TestCasesSurviveRestartAndCompaction(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	t0 := time.Date(2026, 11, 3, 8, 0, 0, 0, time.UTC)
	s := openDirStore(t, dir)
	c := storetest.SampleCase("case-1", "k1", t0)
	if err := s.CreateCase(ctx, c); err != nil {
		t.Fatal(err)
	}
	up := c
	up.Notes, up.Updated, up.UpdatedBy = "更新后的笔记", t0.Add(time.Hour), "k2"
	archived := t0.Add(2 * time.Hour)
	up.Archived = &archived
	want, err := s.UpdateCase(ctx, up)
	if err != nil {
		t.Fatal(err)
	}
	check := func(s *Store, when string) {
		t.Helper()
		got, err := s.Case(ctx, "case-1")
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("%s:\n got %+v %v\nwant %+v", when, got, err, want)
		}
		if _, n, _ := s.Cases(ctx, store.CaseQuery{Archived: true}); n != 1 {
			t.Fatalf("%s: %d cases listed", when, n)
		}
	}
	check(s, "before restart")
	s.Close()
	s = openDirStore(t, dir)
	check(s, "after restart")
	if _, err := s.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openDirStore(t, dir)
	defer s.Close()
	check(s, "after compaction and restart")
	// A stale update is still refused after the restart.
	if _, err := s.UpdateCase(ctx, up); err == nil {
		t.Error("an update of version 1 passed after a restart at version 2")
	}
}
