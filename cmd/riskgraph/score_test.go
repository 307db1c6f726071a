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
}
