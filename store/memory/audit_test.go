package memory

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"riskgraph/store"
	"riskgraph/store/auditlog"
)

func openDirStore(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(Options{DataDir: dir, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func journalSize(t *testing.T, dir string) int64 {
	t.Helper()
	st, err := os.Stat(filepath.Join(dir, JournalFile))
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

func auditEntries(t *testing.T, dir string) int {
	t.Helper()
	reps, err := auditlog.Check(filepath.Join(dir, AuditDirName))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range reps {
		if !r.Clean() {
			t.Fatalf("audit file damaged: %+v", r)
		}
		n += r.Entries
	}
	return n
}

// TestAuditLeavesJournalAlone: a million audit entries do not add a byte
// to the graph's journal, survive a restart, and the restart replays the
// same journal as before they were written.
func TestAuditLeavesJournalAlone(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a million audit entries")
	}
	dir := t.TempDir()
	s := openDirStore(t, dir)
	ctx := context.Background()
	if err := s.SaveKey(ctx, store.APIKey{ID: "k1", Role: "inspector", Hash: "h1", Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	before := journalSize(t, dir)
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	const total, per = 1_000_000, 10_000
	batch := make([]store.AuditEntry, per)
	for lo := 0; lo < total; lo += per {
		for i := range batch {
			at := t0.Add(time.Duration(lo+i) * time.Millisecond)
			batch[i] = store.AuditEntry{ID: fmt.Sprintf("%016x", at.UnixNano()), Time: at, KeyID: "k1", Role: "inspector",
				Method: "GET", Route: "/api/v1/enterprises/:key", Entities: []string{"enterprise:91440300MA5XXXXX00"}, Status: 200}
		}
		if err := s.AppendAudit(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	if after := journalSize(t, dir); after != before {
		t.Errorf("journal grew from %d to %d bytes with audit entries", before, after)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openDirStore(t, dir)
	defer s.Close()
	if after := journalSize(t, dir); after != before {
		t.Errorf("journal %d bytes after reopen, %d before the audit entries", after, before)
	}
	if _, err := s.KeyByHash(ctx, "h1"); err != nil {
		t.Errorf("key after reopen: %v", err)
	}
	newest, err := s.Audit(ctx, store.AuditQuery{Limit: 3})
	if err != nil || len(newest) != 3 || !newest[0].Time.Equal(t0.Add((total-1)*time.Millisecond)) {
		t.Fatalf("newest entries after reopen: %+v, %v", newest, err)
	}
	if n := auditEntries(t, dir); n != total {
		t.Errorf("%d entries in the audit log, want %d", n, total)
	}
}

// TestLegacyJournalAuditMigrated: audit entries an earlier version put in
// the journal are moved into the audit log on open, once; compaction then
// drops them from the journal and they stay in the log.
func TestLegacyJournalAuditMigrated(t *testing.T) {
	dir := t.TempDir()
	s := openDirStore(t, dir)
	ctx := context.Background()
	t0 := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	for r := range 3 {
		var old []map[string]any
		for i := range 4 {
			at := t0.Add(time.Duration(r*4+i) * time.Minute)
			old = append(old, map[string]any{"id": fmt.Sprintf("%016x0000000%d", at.UnixNano(), i), "time": at, "key_id": "k1",
				"role": "inspector", "method": "GET", "route": "/api/v1/persons/:pid", "entity": "person:p" + fmt.Sprint(r*4+i), "status": 200})
		}
		raw, _ := json.Marshal(old)
		if err := s.commit(ctx, &entry{LegacyAudit: raw}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Nothing was moved yet: these went straight to the journal.
	for round := range 2 {
		s = openDirStore(t, dir)
		got, err := s.Audit(ctx, store.AuditQuery{Entity: "person:p7", Limit: 10})
		if err != nil || len(got) != 1 || got[0].Route != "/api/v1/persons/:pid" || !got[0].Time.Equal(t0.Add(7*time.Minute)) {
			t.Errorf("round %d: migrated entry for p7: %+v, %v", round, got, err)
		}
		s.Close()
		if n := auditEntries(t, dir); n != 12 {
			t.Errorf("round %d: %d entries stored, want 12 (moved once)", round, n)
		}
	}
	s = openDirStore(t, dir)
	if _, err := s.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	s.Close()
	raw, _ := os.ReadFile(filepath.Join(dir, JournalFile))
	if containsAudit(raw) {
		t.Errorf("compacted journal still holds audit entries")
	}
	s = openDirStore(t, dir)
	defer s.Close()
	if all, err := s.Audit(ctx, store.AuditQuery{Limit: 100}); err != nil || len(all) != 12 {
		t.Errorf("after compaction: %d entries, %v", len(all), err)
	}
}

func containsAudit(b []byte) bool { return bytes.Contains(b, []byte(`"audit":`)) }
