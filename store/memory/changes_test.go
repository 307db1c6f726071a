package memory

import (
	"context"
	"testing"

	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/storetest"
)

// TestChangesSurviveRestartAndCompaction: the rows' stamps and the lineage
// are the same after a restart (the journal replays the same batches);
// after a compaction the changes since an older generation are a superset
// (every row: the stamps are raised to the compacted generation), and
// since the current one still empty.
func TestChangesSurviveRestartAndCompaction(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WriteBatch(ctx, storetest.Fixture()); err != nil {
		t.Fatal(err)
	}
	g1, _ := s.Generation(ctx)
	next := &store.Batch{Enterprises: []models.Enterprise{{Key: storetest.A, Name: "改名", Status: models.StatusActive}}}
	if err := s.WriteBatch(ctx, next); err != nil {
		t.Fatal(err)
	}
	g2, _ := s.Generation(ctx)
	lineage, _ := s.Lineage(ctx)
	s.Close()

	s, err = Open(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if l, _ := s.Lineage(ctx); l != lineage || l == "" {
		t.Errorf("lineage after a restart %q, want %q", l, lineage)
	}
	got, err := s.Changes(ctx, g1, 100)
	if err != nil || got.Len() != 1 || got.Enterprises[0].Key != storetest.A || got.Enterprises[0].Name != "改名" {
		t.Fatalf("changes since %d after a restart: %+v, %v; want enterprise A renamed", g1, got, err)
	}
	all, _ := s.Changes(ctx, 0, 1000)
	if _, err := s.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s, err = Open(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if g, _ := s.Generation(ctx); g != g2 {
		t.Errorf("generation after compaction %d, want %d", g, g2)
	}
	if l, _ := s.Lineage(ctx); l != lineage {
		t.Errorf("lineage after compaction %q, want %q", l, lineage)
	}
	if got, err := s.Changes(ctx, g1, 1000); err != nil || got.Len() != all.Len() {
		t.Errorf("changes since %d after compaction: %d rows, %v; want all %d (a superset)", g1, got.Len(), err, all.Len())
	}
	if got, err := s.Changes(ctx, g2, 1000); err != nil || got.Len() != 0 {
		t.Errorf("changes since %d after compaction: %d rows, %v; want none", g2, got.Len(), err)
	}
}
