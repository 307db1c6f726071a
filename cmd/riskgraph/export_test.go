package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExportBODSRoundTrip: riskgraph export bods --all writes a JSON
// array; riskgraph ingest --format bods loads it into an empty data dir;
// exporting that again gives the same statements (the command-line twin
// of report/bods' round trip). Bad use exits 2 naming what to give.
func TestExportBODSRoundTrip(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	if out, err := command("generate", "--enterprises", "300", "--seed", "5", "--out", in).CombinedOutput(); err != nil {
		t.Fatalf("generate: %v %s", err, out)
	}
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	if out, err := command("--data-dir", a, "ingest", "--source", "s", in).CombinedOutput(); err != nil {
		t.Fatalf("ingest: %v %s", err, out)
	}
	first, err := command("--data-dir", a, "--log-level", "error", "export", "bods", "--all", "--today", "2026-06-30").Output()
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	var sts []map[string]any
	if err := json.Unmarshal(first, &sts); err != nil || len(sts) < 300 {
		t.Fatalf("export wrote %d statements (%v)", len(sts), err)
	}
	file := filepath.Join(dir, "out.json")
	if err := os.WriteFile(file, first, 0o644); err != nil {
		t.Fatal(err)
	}
	// The same pid key: the persons keep their pids.
	key, _ := os.ReadFile(filepath.Join(a, "pid.key"))
	if err := os.MkdirAll(b, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(b, "pid.key"), key, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := command("--data-dir", b, "ingest", "--format", "bods", "--source", "s", file).CombinedOutput(); err != nil {
		t.Fatalf("ingest --format bods: %v %s", err, out)
	}
	second, err := command("--data-dir", b, "--log-level", "error", "export", "bods", "--all", "--today", "2026-06-30").Output()
	if err != nil {
		t.Fatalf("export again: %v", err)
	}
	if strip(first) != strip(second) {
		t.Error("the statements differ after export → ingest --format bods → export")
	}
	for _, args := range [][]string{
		{"--data-dir", a, "export", "bods"},
		{"--data-dir", a, "export", "bods", "--all", "914403001922038216"},
		{"--data-dir", a, "export", "bods", "--today", "30/06/2026", "--all"},
	} {
		out, err := command(args...).CombinedOutput()
		if exitCode(err) != 2 {
			t.Errorf("%v: exit %d, want 2; %s", args, exitCode(err), out)
		}
	}
	out, err := command("--data-dir", a, "export", "bods", "src:s:nobody").CombinedOutput()
	if exitCode(err) != 1 || !strings.Contains(string(out), `enterprise "src:s:nobody"`) {
		t.Errorf("unknown key: exit %d, %s", exitCode(err), out)
	}
}

// strip drops the statement ids and publication dates.
func strip(data []byte) string {
	var sts []map[string]any
	_ = json.Unmarshal(data, &sts)
	var b bytes.Buffer
	for _, st := range sts {
		delete(st, "statementId")
		if pd, ok := st["publicationDetails"].(map[string]any); ok {
			delete(pd, "publicationDate")
		}
		line, _ := json.Marshal(st)
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.String()
}
