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
	"riskgraph/store/frame"
)

// journalOf writes n acknowledged batches (enterprise src:t:<i> in batch i)
// and returns the journal's bytes and each record's start (plus the end).
func journalOf(t *testing.T, n int) ([]byte, []int64) {
	t.Helper()
	dir := t.TempDir()
	s, err := Open(Options{DataDir: dir, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	offs := []int64{0}
	for i := range n {
		if err := s.WriteBatch(context.Background(), batchOf(fmt.Sprintf("src:t:%d", i))); err != nil {
			t.Fatal(err)
		}
		offs = append(offs, s.journal.size)
	}
	s.Close()
	data, err := os.ReadFile(filepath.Join(dir, JournalFile))
	if err != nil {
		t.Fatal(err)
	}
	return data, offs
}

// openDamaged writes data as a data dir's journal and opens it.
func openDamaged(t *testing.T, data []byte) (string, *Store, error) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, JournalFile), data, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(Options{DataDir: dir, Logger: zerolog.Nop()})
	return dir, s, err
}

// TestDamageNeverLosesAcknowledgedRecords flips bytes, zeroes ranges and
// cuts the journal at many offsets. Either the open fails loudly, naming
// fsck and leaving the file as it was, or it succeeds with every record
// before the damage; it succeeds only when the damage is in the last
// record (a torn tail).
func TestDamageNeverLosesAcknowledgedRecords(t *testing.T) {
	const n = 12
	orig, offs := journalOf(t, n)
	last := offs[n-1]
	type damage struct {
		name string
		at   int64
		do   func([]byte) []byte
	}
	var cases []damage
	for at := int64(0); at < int64(len(orig)); at += max(1, int64(len(orig))/45) {
		cases = append(cases,
			damage{"flip", at, func(d []byte) []byte { d[at] ^= 0x41; return d }},
			damage{"zero 16", at, func(d []byte) []byte { clear(d[at:min(at+16, int64(len(d)))]); return d }},
			damage{"cut", at, func(d []byte) []byte { return d[:at] }},
		)
	}
	for _, rec := range []int{0, 5, n - 2} { // the length field of a middle record, as seen in the probe
		at := offs[rec]
		cases = append(cases, damage{fmt.Sprintf("length of record %d", rec), at, func(d []byte) []byte { d[at+1] ^= 0x01; return d }})
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s at %d", c.name, c.at), func(t *testing.T) {
			data := c.do(bytes.Clone(orig))
			if bytes.Equal(data, orig) {
				return
			}
			dir, s, err := openDamaged(t, data)
			if err != nil {
				var ce *CorruptError
				if !errors.As(err, &ce) || !strings.Contains(err.Error(), "riskgraph fsck") {
					t.Fatalf("open failed without naming the damage and fsck: %v", err)
				}
				if after, _ := os.ReadFile(filepath.Join(dir, JournalFile)); !bytes.Equal(after, data) {
					t.Fatal("a refused open changed the journal")
				}
				if c.name == "cut" || c.at >= last {
					t.Fatalf("damage in the last record (or a cut) refused: %v", err)
				}
				return
			}
			defer s.Close()
			if c.name != "cut" && c.at < last {
				t.Fatalf("damage at %d, before the last record (%d), was opened as a torn tail", c.at, last)
			}
			for i := 0; i < n && offs[i+1] <= c.at; i++ {
				if _, err := s.Enterprise(context.Background(), fmt.Sprintf("src:t:%d", i)); err != nil {
					t.Fatalf("record %d, before the damage, lost: %v", i, err)
				}
			}
		})
	}
}

func TestCheckAndRepairJournal(t *testing.T) {
	const n = 10
	orig, offs := journalOf(t, n)
	data := bytes.Clone(orig)
	data[offs[3]+1] ^= 0x7f                 // length of record 3
	data[offs[6]+frame.HeaderSize+4] ^= 0x1 // payload of record 6
	dir, _, err := openDamaged(t, data)
	if err == nil {
		t.Fatal("damaged journal opened")
	}
	c, err := CheckJournal(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Corrupt() || len(c.Damaged) != 2 || c.Records != n-2 ||
		c.Damaged[0].Offset != offs[3] || c.Damaged[1] != (frame.Region{Offset: offs[6], End: offs[7], Reason: "checksum mismatch"}) {
		t.Fatalf("check: %+v", c)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, JournalFile)); !bytes.Equal(after, data) {
		t.Fatal("check changed the journal")
	}
	r, err := RepairJournal(dir, time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if backup, _ := os.ReadFile(r.Backup); !bytes.Equal(backup, data) || !strings.HasSuffix(r.Backup, ".damaged-20261206T120000Z") {
		t.Fatalf("backup %s does not hold the damaged journal", r.Backup)
	}
	if want := (offs[4] - offs[3]) + (offs[7] - offs[6]); r.Dropped != want {
		t.Errorf("dropped %d bytes, want %d", r.Dropped, want)
	}
	s, err := Open(Options{DataDir: dir, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatalf("open after repair: %v", err)
	}
	defer s.Close()
	for i := range n {
		_, err := s.Enterprise(context.Background(), fmt.Sprintf("src:t:%d", i))
		if lost := i == 3 || i == 6; lost != errors.Is(err, store.ErrNotFound) {
			t.Errorf("record %d after repair: %v", i, err)
		}
	}
	if c, _ := CheckJournal(dir); !c.Clean() {
		t.Errorf("repaired journal not clean: %+v", c)
	}
}

// A record that verifies but does not decode is reported (and dropped by
// a repair), not replayed half-way.
func TestUndecodableRecord(t *testing.T) {
	orig, _ := journalOf(t, 3)
	data, err := frame.Append(bytes.Clone(orig), []byte(`{"batch":{"enterprises":"not a list"}}`))
	if err != nil {
		t.Fatal(err)
	}
	data, _ = frame.Append(data, []byte(`{"batch":{"enterprises":[{"key":"src:t:9","name":"后"}]}}`))
	dir, _, err := openDamaged(t, data)
	if err == nil || !strings.Contains(err.Error(), "riskgraph fsck") {
		t.Fatalf("open of an undecodable record: %v", err)
	}
	c, err := CheckJournal(dir)
	if err != nil || !c.Corrupt() || len(c.Damaged) != 1 || !strings.Contains(c.Damaged[0].Reason, "does not decode") {
		t.Fatalf("check: %+v, %v", c, err)
	}
}

// FuzzOpen replays fuzzed journals: opening never panics, and a journal
// that opens can be written to and opened again with what it held.
func FuzzOpen(f *testing.F) {
	seed, _ := frame.Append(nil, []byte(`{"batch":{"enterprises":[{"key":"src:t:1","name":"甲"}]}}`))
	f.Add(seed)
	f.Add(append(bytes.Clone(seed), 0, 0, 0))
	f.Add([]byte(`{"promote":"r1"}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		var data []byte
		if len(payload) > 0 && payload[0] == '{' {
			data, _ = frame.Append(nil, payload) // a record that verifies: exercise replay
		} else {
			data = payload
		}
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, JournalFile), data, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Open(Options{DataDir: dir, Logger: zerolog.Nop()})
		if err != nil {
			return
		}
		gen, _ := s.Generation(context.Background())
		if err := s.WriteBatch(context.Background(), batchOf("src:fuzz:1")); err != nil {
			t.Fatalf("write after open: %v", err)
		}
		s.Close()
		s, err = Open(Options{DataDir: dir, Logger: zerolog.Nop()})
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		defer s.Close()
		if g, _ := s.Generation(context.Background()); g != gen+1 {
			t.Fatalf("generation %d after reopen, want %d", g, gen+1)
		}
	})
}
