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
	"time"

	"github.com/rs/zerolog"

	"riskgraph/store"
)

// TestSecondOpenIsRefusedWithTheHolder: while one Store holds a data dir, a
// second Open of it fails with a LockedError naming this process's pid and
// command, before it reads or writes the journal; Close frees the dir.
func TestSecondOpenIsRefusedWithTheHolder(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := Open(Options{DataDir: dir, Logger: zerolog.Nop(), Command: "serve"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WriteBatch(ctx, batchOf("src:l:1")); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(filepath.Join(dir, JournalFile))
	if err != nil {
		t.Fatal(err)
	}

	_, err = Open(Options{DataDir: dir, Logger: zerolog.Nop(), Command: "keys create"})
	var le *LockedError
	if !errors.As(err, &le) || !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v, want a *LockedError", err)
	}
	if le.PID != os.Getpid() || le.Command != "serve" || le.Dir != dir {
		t.Errorf("locked error names %+v, want pid %d, command serve, dir %s", le, os.Getpid(), dir)
	}
	if msg := err.Error(); !strings.Contains(msg, fmt.Sprintf("riskgraph serve (pid %d)", os.Getpid())) || !strings.Contains(msg, dir) {
		t.Errorf("message %q does not name the holder and the dir", msg)
	}
	after, _ := os.ReadFile(filepath.Join(dir, JournalFile))
	if !bytes.Equal(before, after) {
		t.Error("the refused open changed the journal")
	}

	// The holder still writes; after Close the dir opens again with every
	// write in it.
	if err := s.WriteBatch(ctx, batchOf("src:l:2")); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(Options{DataDir: dir, Logger: zerolog.Nop(), Command: "compact"})
	if err != nil {
		t.Fatalf("open after the holder closed: %v", err)
	}
	defer s2.Close()
	for _, k := range []string{"src:l:1", "src:l:2"} {
		if _, err := s2.Enterprise(ctx, k); err != nil {
			t.Errorf("%s after reopen: %v", k, err)
		}
	}
}

// TestReadOnlyOpenBesideTheWriter: a read-only open takes no lock (so it
// works while a writer holds the dir and does not stop the writer), sees
// what was written before it opened, refuses every write with ErrReadOnly,
// and leaves every file of the dir as it was — also when the journal ends
// in a torn record, which a writing open would cut off.
func TestReadOnlyOpenBesideTheWriter(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	w, err := Open(Options{DataDir: dir, Logger: zerolog.Nop(), Command: "serve"})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"src:r:1", "src:r:2"} {
		if err := w.WriteBatch(ctx, batchOf(k)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.SaveKey(ctx, store.APIKey{ID: "k1", Hash: "h1", Role: "admin", Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	// A write in progress (or torn by a crash): half a record at the end.
	path := filepath.Join(dir, JournalFile)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte{200, 0, 0, 0, 1, 2, 3, 4, '{', '"'}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	before := snapshotDir(t, dir)

	var log bytes.Buffer
	r, err := Open(Options{DataDir: dir, Logger: zerolog.New(&log), ReadOnly: true})
	if err != nil {
		t.Fatalf("read-only open beside a writer: %v", err)
	}
	for _, k := range []string{"src:r:1", "src:r:2"} {
		if _, err := r.Enterprise(ctx, k); err != nil {
			t.Errorf("read-only store misses %s: %v", k, err)
		}
	}
	if ks, err := r.Keys(ctx); err != nil || len(ks) != 1 || ks[0].ID != "k1" {
		t.Errorf("read-only keys: %+v %v", ks, err)
	}
	writes := map[string]func() error{
		"WriteBatch":  func() error { return r.WriteBatch(ctx, batchOf("src:r:3")) },
		"SaveKey":     func() error { return r.SaveKey(ctx, store.APIKey{ID: "k2", Hash: "h2", Role: "admin"}) },
		"RevokeKey":   func() error { return r.RevokeKey(ctx, "k1", time.Now()) },
		"SaveRun":     func() error { return r.SaveRun(ctx, store.Run{ID: "run-x"}) },
		"PromoteRun":  func() error { return r.PromoteRun(ctx, "run-x") },
		"AppendAudit": func() error { return r.AppendAudit(ctx, []store.AuditEntry{{ID: "a1"}}) },
		"Compact":     func() error { _, err := r.Compact(ctx); return err },
	}
	for name, write := range writes {
		if err := write(); !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s on a read-only store: %v, want ErrReadOnly", name, err)
		}
	}
	if _, err := r.Enterprise(ctx, "src:r:3"); err == nil {
		t.Error("a refused write is visible")
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if after := snapshotDir(t, dir); after != before {
		t.Errorf("a read-only open changed the data dir:\nbefore %s\nafter  %s", before, after)
	}
	if !strings.Contains(log.String(), "incomplete record") {
		t.Errorf("the torn tail is not mentioned: %s", log.String())
	}

	// The writer was not disturbed: it still holds the dir and writes.
	if _, err := Open(Options{DataDir: dir, Logger: zerolog.Nop()}); !errors.Is(err, ErrLocked) {
		t.Errorf("second writer while the first holds the dir: %v", err)
	}
	w.Close()
}

// TestReadOnlyOpenOfAMissingDirCreatesNothing: nothing to read is an empty
// store, and the directory is not created.
func TestReadOnlyOpenOfAMissingDirCreatesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "absent")
	s, err := Open(Options{DataDir: dir, Logger: zerolog.Nop(), ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if ks, err := s.Keys(context.Background()); err != nil || len(ks) != 0 {
		t.Errorf("keys of an empty read-only store: %v %v", ks, err)
	}
	s.Close()
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("read-only open created %s: %v", dir, err)
	}
}

// snapshotDir describes every file of dir: name, size, mode, mtime and a
// checksum of its bytes.
func snapshotDir(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		raw := []byte{}
		if fi.Mode().IsRegular() {
			if raw, err = os.ReadFile(p); err != nil {
				return err
			}
		}
		fmt.Fprintf(&b, "%s %d %v %d %x; ", p, fi.Size(), fi.Mode(), fi.ModTime().UnixNano(), raw)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}
