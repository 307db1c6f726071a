package memory

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/frame"
	"riskgraph/store/storetest"
)

func open(t *testing.T, dir string, log *bytes.Buffer) *Store {
	t.Helper()
	s, err := Open(Options{DataDir: dir, Logger: zerolog.New(log)})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return s
}

func batchOf(key string) *store.Batch {
	return &store.Batch{Enterprises: []models.Enterprise{{Key: key, Name: "企业" + key}}}
}

func TestReopenReplaysEverything(t *testing.T) {
	dir := t.TempDir()
	var log bytes.Buffer
	s := open(t, dir, &log)
	ctx := context.Background()
	if err := s.WriteBatch(ctx, storetest.Fixture()); err != nil {
		t.Fatal(err)
	}
	res := []models.RiskResult{{Ref: models.EnterpriseRef(storetest.B), Risk: models.Risk{Score: 0.5, Grade: "C", Run: "r1"}}}
	if err := s.WriteResults(ctx, res); err != nil {
		t.Fatal(err)
	}
	if err := s.PromoteRun(ctx, "r1"); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveRun(ctx, store.Run{ID: "r1", Status: store.RunCompleted}); err != nil {
		t.Fatal(err)
	}
	gen, _ := s.Generation(ctx)
	s.Close()
	s = open(t, dir, &log)
	defer s.Close()
	e, err := s.Enterprise(ctx, storetest.B)
	if err != nil || e.Risk == nil || e.Risk.Grade != "C" {
		t.Fatalf("after reopen: %+v, %v", e, err)
	}
	if g, _ := s.Generation(ctx); g != gen || g == 0 {
		t.Errorf("generation after reopen %d, want %d", g, gen)
	}
	if r, err := s.Run(ctx, "r1"); err != nil || r.Status != store.RunCompleted {
		t.Errorf("run history after reopen: %+v, %v", r, err)
	}
	g, err := store.Neighbourhood(ctx, s, models.EnterpriseRef(storetest.B), 2, nil, 100)
	if err != nil || len(g.Nodes) != 8 || len(g.Edges) != 10 {
		t.Errorf("neighbourhood after reopen: %d nodes %d edges (%v)", len(g.Nodes), len(g.Edges), err)
	}
}

func TestTornTailIsDropped(t *testing.T) {
	for _, cut := range []int{1, 5, 8, 20} {
		dir := t.TempDir()
		var log bytes.Buffer
		s := open(t, dir, &log)
		ctx := context.Background()
		for _, k := range []string{"src:t:1", "src:t:2", "src:t:3"} {
			if err := s.WriteBatch(ctx, batchOf(k)); err != nil {
				t.Fatal(err)
			}
		}
		s.Close()
		path := filepath.Join(dir, JournalFile)
		info, _ := os.Stat(path)
		// Cut into the last record: a crash in the middle of its write.
		if err := os.Truncate(path, info.Size()-int64(cut)); err != nil {
			t.Fatal(err)
		}
		s = open(t, dir, &log)
		if _, err := s.Enterprise(ctx, "src:t:2"); err != nil {
			t.Errorf("cut %d: acknowledged batch 2 lost: %v", cut, err)
		}
		if _, err := s.Enterprise(ctx, "src:t:3"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("cut %d: torn batch 3 should be gone, got %v", cut, err)
		}
		if !strings.Contains(log.String(), "torn") {
			t.Errorf("cut %d: no log line about the torn record: %s", cut, log.String())
		}
		// Appends after recovery must land on a clean boundary.
		if err := s.WriteBatch(ctx, batchOf("src:t:4")); err != nil {
			t.Fatal(err)
		}
		s.Close()
		s = open(t, dir, &log)
		if _, err := s.Enterprise(ctx, "src:t:4"); err != nil {
			t.Errorf("cut %d: batch written after recovery lost: %v", cut, err)
		}
		s.Close()
	}
}

func TestGarbageTailIsDropped(t *testing.T) {
	dir := t.TempDir()
	var log bytes.Buffer
	s := open(t, dir, &log)
	if err := s.WriteBatch(context.Background(), batchOf("src:t:1")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	f, _ := os.OpenFile(filepath.Join(dir, JournalFile), os.O_APPEND|os.O_WRONLY, 0)
	// A header that promises 16 bytes, followed by 16 bytes that fail the checksum.
	f.Write([]byte{16, 0, 0, 0, 1, 2, 3, 4})
	f.Write(make([]byte, 16))
	f.Close()
	s = open(t, dir, &log)
	defer s.Close()
	if _, err := s.Enterprise(context.Background(), "src:t:1"); err != nil {
		t.Errorf("good record lost: %v", err)
	}
}

func TestDamageBeforeTheEndFailsLoudly(t *testing.T) {
	dir := t.TempDir()
	var log bytes.Buffer
	s := open(t, dir, &log)
	ctx := context.Background()
	s.WriteBatch(ctx, batchOf("src:t:1"))
	s.WriteBatch(ctx, batchOf("src:t:2"))
	s.Close()
	path := filepath.Join(dir, JournalFile)
	data, _ := os.ReadFile(path)
	data[frame.HeaderSize+2] ^= 0xff // inside the first record's payload
	os.WriteFile(path, data, 0o600)
	_, err := Open(Options{DataDir: dir, Logger: zerolog.Nop()})
	if err == nil || !strings.Contains(err.Error(), "damaged") || !strings.Contains(err.Error(), "byte 0") {
		t.Errorf("damage in the middle must stop the start with a clear error, got %v", err)
	}
}

// TestConcurrentWritersShareFsyncs writes from many goroutines at once (group
// commit) and checks every acknowledged batch is durable and in order.
func TestConcurrentWritersShareFsyncs(t *testing.T) {
	dir := t.TempDir()
	var log bytes.Buffer
	s := open(t, dir, &log)
	ctx := context.Background()
	const writers, each = 8, 25
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		go func(w int) {
			for i := 0; i < each; i++ {
				k := fmt.Sprintf("src:w%d:%d", w, i)
				if err := s.WriteBatch(ctx, batchOf(k)); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}(w)
	}
	for w := 0; w < writers; w++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if g, _ := s.Generation(ctx); g != writers*each {
		t.Errorf("generation %d, want %d", g, writers*each)
	}
	s.Close()
	s = open(t, dir, &log)
	defer s.Close()
	for w := 0; w < writers; w++ {
		for i := 0; i < each; i++ {
			if _, err := s.Enterprise(ctx, fmt.Sprintf("src:w%d:%d", w, i)); err != nil {
				t.Fatalf("acknowledged batch w%d/%d lost: %v", w, i, err)
			}
		}
	}
}
