package auditlog

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"riskgraph/store"
	"riskgraph/store/frame"
)

var t0 = time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)

func entry(i int) store.AuditEntry {
	at := t0.Add(time.Duration(i) * time.Second)
	return store.AuditEntry{ID: fmt.Sprintf("%016x%04d", at.UnixNano(), i%10000), Time: at, KeyID: "k1", Role: "inspector",
		Method: "GET", Route: "/api/v1/enterprises/:key", Entities: []string{fmt.Sprintf("enterprise:e%d", i)}, Status: 200}
}

func open(t *testing.T, opts Options) *Log {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	opts.Logger = zerolog.Nop()
	l, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l
}

func all(t *testing.T, l *Log) []store.AuditEntry {
	t.Helper()
	got, err := l.Audit(context.Background(), store.AuditQuery{Limit: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// records counts the records in dir's active segment.
func records(t *testing.T, dir string) int {
	t.Helper()
	reps, err := Check(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range reps {
		if strings.HasSuffix(r.File, ".open") {
			n += r.Records
		}
	}
	return n
}

// TestGroupCommit: callers that arrive while the writer is busy share one
// record (one fsync), and each returns only after it. The writer is held
// in its first commit (which took one or more of the calls) by l.mu; the
// calls that arrive meanwhile must all go into the next record.
func TestGroupCommit(t *testing.T) {
	l := open(t, Options{})
	ctx := context.Background()
	l.mu.Lock()
	locked := true
	unlock := func() {
		if locked {
			locked = false
			l.mu.Unlock()
		}
	}
	defer unlock() // before the cleanup's Close, also when the test fails
	var wg sync.WaitGroup
	var returned atomic.Int32
	for i := range 10 {
		wg.Go(func() {
			if err := l.AppendAudit(ctx, []store.AuditEntry{entry(i)}); err != nil {
				t.Error(err)
			}
			returned.Add(1)
		})
	}
	// Wait until the queue has stopped growing: every call is queued or
	// in the writer's first batch (polling, no timing assertion).
	for stable, last := 0, -1; stable < 20; {
		time.Sleep(10 * time.Millisecond)
		if n := len(l.in); n == last {
			stable++
		} else {
			stable, last = 0, n
		}
	}
	if n := returned.Load(); n != 0 {
		unlock()
		t.Fatalf("%d calls returned before anything was written", n)
	}
	unlock()
	wg.Wait()
	if n := records(t, l.opts.Dir); n < 1 || n > 2 {
		t.Errorf("%d records for 10 calls, want 2 (or 1): the writer's first batch, and the calls that waited together", n)
	}
	if got := all(t, l); len(got) != 10 {
		t.Errorf("%d entries, want 10", len(got))
	}
}

// TestRestartKeepsAcknowledged: every entry whose AppendAudit returned nil
// is there after a reopen, also when many callers write at once.
func TestRestartKeepsAcknowledged(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(Options{Dir: dir, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := range 50 {
				if err := l.AppendAudit(context.Background(), []store.AuditEntry{entry(g*1000 + i)}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.AppendAudit(context.Background(), []store.AuditEntry{entry(1)}); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("append after Close: %v, want ErrUnavailable", err)
	}
	l2 := open(t, Options{Dir: dir})
	got := all(t, l2)
	if len(got) != 800 {
		t.Fatalf("%d entries after reopen, want 800", len(got))
	}
	for i := 1; i < len(got); i++ {
		if got[i-1].ID <= got[i].ID {
			t.Fatalf("not newest first at %d: %s then %s", i, got[i-1].ID, got[i].ID)
		}
	}
}

// TestLock: a second process (here a second Open) cannot write the dir.
func TestLock(t *testing.T) {
	l := open(t, Options{})
	if _, err := Open(Options{Dir: l.opts.Dir, Logger: zerolog.Nop()}); !errors.Is(err, store.ErrUnavailable) || !strings.Contains(err.Error(), "in use") {
		t.Errorf("second open: %v, want ErrUnavailable saying the dir is in use", err)
	}
}

func TestRetentionBelowLegalMinimumRefused(t *testing.T) {
	_, err := Open(Options{Dir: t.TempDir(), Retention: 90 * 24 * time.Hour})
	if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), "Cybersecurity Law") {
		t.Errorf("90 days: %v", err)
	}
}

// waitCompressed waits until no closed segment is left uncompressed.
func waitCompressed(t *testing.T, dir string) (gz int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		names, _ := filepath.Glob(filepath.Join(dir, "*.seg"))
		gzs, _ := filepath.Glob(filepath.Join(dir, "*.seg.gz"))
		if len(names) == 0 {
			return len(gzs)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d segments still uncompressed", len(names))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRotationCompressionRetention: small segments rotate, are gzipped,
// are read back across segments with filters and paging, and are deleted
// whole once past retention.
func TestRotationCompressionRetention(t *testing.T) {
	var now atomic.Int64
	now.Store(t0.Add(time.Hour).UnixNano())
	opts := Options{SegmentSize: 2048, Retention: 24 * time.Hour, allowShortRetention: true,
		Now: func() time.Time { return time.Unix(0, now.Load()) }}
	l := open(t, opts)
	ctx := context.Background()
	// 300 entries one second apart, a day's worth split by hour below.
	for i := range 300 {
		if err := l.AppendAudit(ctx, []store.AuditEntry{entry(i)}); err != nil {
			t.Fatal(err)
		}
	}
	gz := waitCompressed(t, l.opts.Dir)
	if gz < 10 {
		t.Fatalf("%d compressed segments, want many (2 KiB segments)", gz)
	}
	got := all(t, l)
	if len(got) != 300 || got[0].ID != entry(299).ID || got[299].ID != entry(0).ID {
		t.Fatalf("%d entries across segments", len(got))
	}
	// Paging by cursor visits every entry once, in order.
	var paged []string
	before := ""
	for {
		page, err := l.Audit(ctx, store.AuditQuery{Limit: 17, Before: before})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page {
			paged = append(paged, e.ID)
		}
		if len(page) < 17 {
			break
		}
		before = page[len(page)-1].ID
	}
	if len(paged) != 300 || paged[0] != entry(299).ID || paged[299] != entry(0).ID {
		t.Errorf("paged %d entries", len(paged))
	}
	window, err := l.Audit(ctx, store.AuditQuery{Since: entry(100).Time, Until: entry(150).Time, Limit: 1000})
	if err != nil || len(window) != 50 || window[0].ID != entry(149).ID || window[49].ID != entry(100).ID {
		t.Errorf("window: %d entries, %v", len(window), err)
	}
	one, err := l.Audit(ctx, store.AuditQuery{Entity: "enterprise:e42", Limit: 10})
	if err != nil || len(one) != 1 || one[0].ID != entry(42).ID {
		t.Errorf("entity filter: %+v, %v", one, err)
	}

	// A query never opens a segment it can skip: damage the newest closed
	// segment; reading below its IDs still works, reading it fails loudly.
	l.mu.Lock()
	newest := l.segs[len(l.segs)-1]
	path, minID := newest.path, newest.minID
	l.mu.Unlock()
	if err := os.WriteFile(path, []byte("not gzip"), 0o600); err != nil {
		t.Fatal(err)
	}
	if page, err := l.Audit(ctx, store.AuditQuery{Before: minID, Limit: 5}); err != nil || len(page) != 5 {
		t.Errorf("below the damaged segment: %d entries, %v", len(page), err)
	}
	if _, err := l.Audit(ctx, store.AuditQuery{Limit: 1000}); err == nil || !strings.Contains(err.Error(), "fsck") {
		t.Errorf("reading the damaged segment: %v, want an error pointing at fsck", err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	l.mu.Lock()
	l.segs = l.segs[:len(l.segs)-1]
	l.mu.Unlock()

	// Retention: a day after the 150th entry, segments whose newest entry
	// is older go, whole; the rest stay.
	now.Store(entry(150).Time.Add(24 * time.Hour).UnixNano())
	l.expire()
	left := all(t, l)
	// The damaged newest segment was removed above; every later entry
	// (the active segment) and every one from the 150th on is kept.
	kept := map[string]bool{}
	for _, e := range left {
		kept[e.ID] = true
	}
	for i := 150; i < 300; i++ {
		if e := entry(i); !kept[e.ID] && e.ID < minID {
			t.Fatalf("entry %d (inside retention) deleted", i)
		}
	}
	// Segments hold a handful of entries: nothing much older than the cut
	// is left.
	if oldest := left[len(left)-1]; oldest.Time.Before(entry(130).Time) || !oldest.Time.Before(entry(151).Time) {
		t.Errorf("oldest entry left %v; want just before the cut at %v", oldest.Time, entry(150).Time)
	}
	gzs, _ := filepath.Glob(filepath.Join(l.opts.Dir, "*.seg.gz"))
	if len(gzs) >= gz {
		t.Errorf("%d segments before retention, %d after", gz, len(gzs))
	}
}

// TestBoundedQueue: with the writer stuck and the pending bytes at their
// bound, a caller waits until its deadline and gets ErrUnavailable; the
// ones queued before are written once the writer moves.
func TestBoundedQueue(t *testing.T) {
	l := open(t, Options{MaxPending: 1024})
	l.mu.Lock()
	var wg sync.WaitGroup
	for i := range 3 { // about 250 bytes each
		wg.Go(func() {
			if err := l.AppendAudit(context.Background(), []store.AuditEntry{entry(i)}); err != nil {
				t.Error(err)
			}
		})
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(l.in) < 2 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	big := []store.AuditEntry{entry(10), entry(11), entry(12)}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	err := l.AppendAudit(ctx, big)
	cancel()
	if !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("append beyond the bound: %v, want ErrUnavailable", err)
	}
	l.mu.Unlock()
	wg.Wait()
	if got := all(t, l); len(got) != 3 {
		t.Errorf("%d entries, want the 3 queued within the bound", len(got))
	}
}

// TestDiskFailure: a segment on a full disk refuses appends with
// ErrUnavailable, never acknowledging them.
func TestDiskFailure(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full")
	}
	dir := t.TempDir()
	if err := os.Symlink("/dev/full", filepath.Join(dir, fmt.Sprintf("%016d.open", 1))); err != nil {
		t.Fatal(err)
	}
	l := open(t, Options{Dir: dir})
	for range 2 {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := l.AppendAudit(ctx, []store.AuditEntry{entry(1)})
		cancel()
		if !errors.Is(err, store.ErrUnavailable) {
			t.Errorf("append on a full disk: %v, want ErrUnavailable", err)
		}
	}
}

func activePath(t *testing.T, dir string) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, "*.open"))
	if len(m) != 1 {
		t.Fatalf("active segments: %v", m)
	}
	return m[0]
}

func writeThree(t *testing.T, dir string) {
	t.Helper()
	l, err := Open(Options{Dir: dir, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := l.AppendAudit(context.Background(), []store.AuditEntry{entry(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestTornTail: a last record cut short (at any length) is dropped on open
// and every earlier record kept.
func TestTornTail(t *testing.T) {
	ref := t.TempDir()
	writeThree(t, ref)
	full, _ := os.ReadFile(activePath(t, ref))
	next, _ := frame.Append(nil, []byte(`{"min_id":"x","entries":[]}`))
	for cut := 1; cut < len(next); cut += 3 {
		dir := t.TempDir()
		writeThree(t, dir)
		path := activePath(t, dir)
		if err := os.WriteFile(path, append(append([]byte{}, full...), next[:cut]...), 0o600); err != nil {
			t.Fatal(err)
		}
		l, err := Open(Options{Dir: dir, Logger: zerolog.Nop()})
		if err != nil {
			t.Fatalf("cut at %d: %v", cut, err)
		}
		if got := all(t, l); len(got) != 3 {
			t.Errorf("cut at %d: %d entries, want 3", cut, len(got))
		}
		st, _ := os.Stat(path)
		if st.Size() != int64(len(full)) {
			t.Errorf("cut at %d: file %d bytes, want the torn tail cut off (%d)", cut, st.Size(), len(full))
		}
		l.Close()
	}
}

// TestCorruptionRefused: damage followed by intact records refuses to
// open, names file, offset and fsck; Check reports it; Repair keeps what
// verifies and the damaged file beside it.
func TestCorruptionRefused(t *testing.T) {
	dir := t.TempDir()
	writeThree(t, dir)
	path := activePath(t, dir)
	raw, _ := os.ReadFile(path)
	raw[frame.HeaderSize+5] ^= 0xff // inside the first record's payload
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(Options{Dir: dir, Logger: zerolog.Nop()})
	if err == nil || !strings.Contains(err.Error(), filepath.Base(path)) || !strings.Contains(err.Error(), "byte 0") || !strings.Contains(err.Error(), "riskgraph fsck") {
		t.Fatalf("open of a corrupt segment: %v", err)
	}
	reps, err := Check(dir)
	if err != nil || len(reps) != 1 || len(reps[0].Damaged) != 1 || reps[0].Damaged[0].Offset != 0 || reps[0].Records != 2 || reps[0].Torn {
		t.Fatalf("check: %+v, %v", reps, err)
	}
	if _, err := Repair(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + ".damaged"); err != nil {
		t.Errorf("damaged copy: %v", err)
	}
	l := open(t, Options{Dir: dir})
	got := all(t, l)
	if len(got) != 2 || got[0].ID != entry(2).ID || got[1].ID != entry(1).ID {
		t.Errorf("after repair: %+v; want the two intact entries", got)
	}
}

// TestDuplicatesShownOnce: a retried batch is stored twice but read once.
func TestDuplicatesShownOnce(t *testing.T) {
	l := open(t, Options{})
	batch := []store.AuditEntry{entry(1), entry(2)}
	for range 2 {
		if err := l.AppendAudit(context.Background(), batch); err != nil {
			t.Fatal(err)
		}
	}
	if got := all(t, l); len(got) != 2 {
		t.Errorf("%d entries, want 2", len(got))
	}
}
