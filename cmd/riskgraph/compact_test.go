package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"riskgraph/store/memory"
	"riskgraph/synth"
)

// TestCompactCommand: after the same files are ingested twice, compact
// shrinks the journal and the store still holds every enterprise with a
// USCC (its key).
func TestCompactCommand(t *testing.T) {
	tmp := t.TempDir()
	input, data := filepath.Join(tmp, "in"), filepath.Join(tmp, "data")
	if _, err := synth.Generate(synth.GenerateOptions{Enterprises: 300, Seed: 3, Out: input}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if out, err := command("--data-dir", data, "ingest", "--source", "twice", input).CombinedOutput(); err != nil {
			t.Fatalf("ingest: %v\n%s", err, out)
		}
	}
	journal := filepath.Join(data, memory.JournalFile)
	before, err := os.Stat(journal)
	if err != nil {
		t.Fatal(err)
	}
	out, err := command("--data-dir", data, "compact").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "journal: ") {
		t.Fatalf("compact: %v\n%s", err, out)
	}
	after, err := os.Stat(journal)
	if err != nil || after.Size() >= before.Size() {
		t.Fatalf("journal %d -> %v bytes (%v); want it smaller", before.Size(), after, err)
	}
	s, err := memory.Open(memory.Options{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	checked := 0
	for _, key := range enterpriseKeys(t, filepath.Join(input, "enterprises.csv")) {
		if strings.HasPrefix(key, "src:") {
			continue
		}
		if _, err := s.Enterprise(t.Context(), key); err != nil {
			t.Fatalf("enterprise %s after compaction: %v", key, err)
		}
		checked++
	}
	if checked < 200 {
		t.Fatalf("only %d enterprises with a USCC checked", checked)
	}
	if code := exitCode(command("--store", "neo4j", "--neo4j-uri", "bolt://127.0.0.1:1", "compact").Run()); code != 2 {
		t.Errorf("compact on Neo4j: exit %d, want 2", code)
	}
}
