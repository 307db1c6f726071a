package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"riskgraph/store"
	"riskgraph/store/auditlog"
	"riskgraph/store/frame"
	"riskgraph/store/memory"
)

// TestFsckCommand: a length field damaged in the middle of a journal stops
// every command (keys list included) without changing the file; fsck
// names the region and exits 1; fsck --repair keeps a copy and rebuilds a
// journal the store opens again with every other record.
func TestFsckCommand(t *testing.T) {
	data := t.TempDir()
	var ids []string
	for i := range 6 {
		out, err := command("--data-dir", data, "keys", "create", "--role", "dashboard", "--name", fmt.Sprintf("k%d", i)).Output()
		if err != nil {
			t.Fatalf("keys create: %v", err)
		}
		ids = append(ids, strings.Fields(strings.SplitN(string(out), "\n", 2)[0])[1])
	}
	path := filepath.Join(data, memory.JournalFile)
	journal, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The third record's length field, as an outside probe changed it.
	var offs []int64
	if _, err := frame.Scan(bytes.NewReader(journal), int64(len(journal)), func(off int64, _ []byte) error {
		offs = append(offs, off)
		return nil
	}); err != nil || len(offs) < 6 {
		t.Fatalf("journal records: %v, %v", offs, err)
	}
	journal[offs[2]] ^= 0x10
	if err := os.WriteFile(path, journal, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := command("--data-dir", data, "keys", "list").CombinedOutput()
	if exitCode(err) != 1 || !strings.Contains(string(out), "riskgraph fsck") || !strings.Contains(string(out), fmt.Sprintf("byte %d", offs[2])) {
		t.Fatalf("keys list on a damaged journal: exit %d\n%s", exitCode(err), out)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, journal) {
		t.Fatal("keys list changed a damaged journal")
	}
	out, err = command("--data-dir", data, "fsck").CombinedOutput()
	if exitCode(err) != 1 || !strings.Contains(string(out), "DAMAGED") || !strings.Contains(string(out), fmt.Sprintf("bytes %d-%d", offs[2], offs[3])) {
		t.Fatalf("fsck: exit %d\n%s", exitCode(err), out)
	}
	out, err = command("--data-dir", data, "fsck", "--repair").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "repaired: kept") {
		t.Fatalf("fsck --repair: %v\n%s", err, out)
	}
	copies, _ := filepath.Glob(path + ".damaged-*")
	if len(copies) != 1 {
		t.Fatalf("copies of the damaged journal: %v", copies)
	}
	if kept, _ := os.ReadFile(copies[0]); !bytes.Equal(kept, journal) {
		t.Fatal("the kept copy is not the damaged journal")
	}
	out, err = command("--data-dir", data, "keys", "list").CombinedOutput()
	if err != nil {
		t.Fatalf("keys list after repair: %v\n%s", err, out)
	}
	for i, id := range ids {
		if listed := strings.Contains(string(out), id); listed != (i != 2) {
			t.Errorf("key %d (%s) listed=%v after repair:\n%s", i, id, listed, out)
		}
	}
	if out, err := command("--data-dir", data, "fsck").CombinedOutput(); err != nil || !strings.Contains(string(out), "clean") {
		t.Fatalf("fsck after repair: %v\n%s", err, out)
	}
}

// TestFsckAuditLog: damage inside an audit segment (not its last record)
// is found by fsck (exit 1) and rebuilt by fsck --repair with a copy kept;
// the rebuilt log opens again with the entries around the damage.
func TestFsckAuditLog(t *testing.T) {
	data := t.TempDir()
	dir := filepath.Join(data, "audit")
	l, err := auditlog.Open(auditlog.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 { // one record each
		e := store.AuditEntry{ID: fmt.Sprintf("%016x00000000", i+1), Time: time.Unix(int64(i+1), 0).UTC(), KeyID: "k", Role: "admin", Method: "GET", Route: "/api/v1/x", Status: 200}
		if err := l.AppendAudit(context.Background(), []store.AuditEntry{e}); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	segs, _ := filepath.Glob(filepath.Join(dir, "*.open"))
	if len(segs) != 1 {
		t.Fatalf("segments: %v", segs)
	}
	raw, _ := os.ReadFile(segs[0])
	raw[frame.HeaderSize+3] ^= 0x20 // inside the first record
	if err := os.WriteFile(segs[0], raw, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := command("--data-dir", data, "fsck").CombinedOutput()
	if exitCode(err) != 1 || !strings.Contains(string(out), "DAMAGED") || !strings.Contains(string(out), filepath.Base(segs[0])) {
		t.Fatalf("fsck of a damaged audit segment: exit %d\n%s", exitCode(err), out)
	}
	out, err = command("--data-dir", data, "fsck", "--repair").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "repaired: ") {
		t.Fatalf("fsck --repair: %v\n%s", err, out)
	}
	if kept, _ := os.ReadFile(segs[0] + ".damaged"); !bytes.Equal(kept, raw) {
		t.Fatal("the damaged segment was not kept")
	}
	l, err = auditlog.Open(auditlog.Options{Dir: dir})
	if err != nil {
		t.Fatalf("open after repair: %v", err)
	}
	defer l.Close()
	got, err := l.Audit(context.Background(), store.AuditQuery{Limit: 10})
	if err != nil || len(got) != 2 {
		t.Fatalf("entries after repair: %d, %v; want the 2 undamaged", len(got), err)
	}
}
