package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestScoreBadParamsExit2(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "params.json")
	if err := os.WriteFile(bad, []byte(`{"propagation":{"alpha":2}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"--data-dir", dir, "score", "--params", bad},
		{"--data-dir", dir, "score", "--params", filepath.Join(dir, "missing.json")},
		{"--data-dir", dir, "score", "--full", "--incremental"},
		{"--data-dir", dir, "score", "--today", "30/06/2026"},
	} {
		out, err := command(args...).CombinedOutput()
		if exitCode(err) != 2 {
			t.Errorf("%v: exit %d, want 2; output %q", args, exitCode(err), out)
		}
	}
	out, _ := command("--data-dir", dir, "score", "--params", bad).CombinedOutput()
	if !strings.Contains(string(out), "propagation.alpha = 2") {
		t.Errorf("the message does not name the bad parameter: %q", out)
	}
}

func TestScoreGeneratedSample(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	if out, err := command("generate", "--enterprises", "1000", "--seed", "3", "--out", in).CombinedOutput(); err != nil {
		t.Fatalf("generate: %v %s", err, out)
	}
	data := filepath.Join(dir, "data")
	if out, err := command("--data-dir", data, "ingest", in).CombinedOutput(); err != nil {
		t.Fatalf("ingest: %v %s", err, out)
	}
	cmd := command("--data-dir", data, "--log-level", "error", "score", "--today", "2026-06-30")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("score: %v %s", err, out)
	}
	for _, want := range []string{"completed", "1000 enterprises", "grades (enterprises): A", "shell_cluster 1"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	// Nothing changed since: an incremental update (the last run's day) settles
	// at once and writes no result.
	out, err = command("--data-dir", data, "--log-level", "error", "score", "--incremental").Output()
	if err != nil {
		t.Fatalf("score --incremental: %v %s", err, out)
	}
	if !strings.Contains(string(out), "today 2026-06-30") || !strings.Contains(string(out), "incremental") ||
		!strings.Contains(string(out), " 0 results changed") {
		t.Errorf("incremental summary:\n%s", out)
	}
}

func TestScoreIncrementalNeedsARun(t *testing.T) {
	dir := t.TempDir()
	out, err := command("--data-dir", dir, "score", "--incremental").CombinedOutput()
	if exitCode(err) != 2 || !strings.Contains(string(out), "no completed run") {
		t.Errorf("exit %d, output %q", exitCode(err), out)
	}
}

// TestScoreKeepsASnapshot: with --engine-snapshot the first run scans the
// store and saves the projection; the next one starts from it and reads
// only the changes; a damaged file is rebuilt, not used.
func TestScoreKeepsASnapshot(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	if out, err := command("generate", "--enterprises", "300", "--seed", "5", "--out", in).CombinedOutput(); err != nil {
		t.Fatalf("generate: %v %s", err, out)
	}
	data, snap := filepath.Join(dir, "data"), filepath.Join(dir, "projection.snap")
	if out, err := command("--data-dir", data, "ingest", in).CombinedOutput(); err != nil {
		t.Fatalf("ingest: %v %s", err, out)
	}
	score := func() string {
		t.Helper()
		out, err := command("--data-dir", data, "--engine-snapshot", snap, "--log-level", "error", "score", "--today", "2026-06-30").Output()
		if err != nil {
			t.Fatalf("score: %v %s", err, out)
		}
		return string(out)
	}
	if out := score(); !strings.Contains(out, "projection: full scan; snapshot rebuilt (no snapshot yet)") {
		t.Errorf("first run:\n%s", out)
	}
	if out := score(); !strings.Contains(out, "projection: snapshot of generation") {
		t.Errorf("second run:\n%s", out)
	}
	raw, err := os.ReadFile(snap)
	if err != nil {
		t.Fatal(err)
	}
	raw[len(raw)/2] ^= 0xff
	if err := os.WriteFile(snap, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	// The graph format checks each section: the message names the one
	// that failed ("section in: checksum mismatch").
	if out := score(); !strings.Contains(out, "snapshot rebuilt (snapshot damaged: section ") || !strings.Contains(out, ": checksum mismatch)") {
		t.Errorf("run after damage:\n%s", out)
	}
}

// TestScoreMemoryLimit: a run under --engine-memory-limit completes (that
// its results are a run's without the limit is engine.TestRunMemoryLimit);
// a negative limit is refused with the flag's name.
func TestScoreMemoryLimit(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	if out, err := command("generate", "--enterprises", "200", "--seed", "3", "--out", in).CombinedOutput(); err != nil {
		t.Fatalf("generate: %v %s", err, out)
	}
	data := filepath.Join(dir, "data")
	if out, err := command("--data-dir", data, "ingest", in).CombinedOutput(); err != nil {
		t.Fatalf("ingest: %v %s", err, out)
	}
	out, err := command("--data-dir", data, "--engine-memory-limit", "512", "--log-level", "error", "score", "--today", "2026-06-30").CombinedOutput()
	if err != nil {
		t.Fatalf("score under a limit: %v %s", err, out)
	}
	out, err = command("--data-dir", data, "--engine-memory-limit", "-1", "score", "--today", "2026-06-30").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "--engine-memory-limit") {
		t.Errorf("a negative limit: exit %d, output %q", exitCode(err), out)
	}
}
