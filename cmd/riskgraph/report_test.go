package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestReportOnce: report --once scores a loaded sample and stores a
// report; a second run in the same minute is refused as already run, or
// (across a minute boundary) compares with the first.
func TestReportOnce(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	if out, err := command("generate", "--enterprises", "500", "--seed", "3", "--out", in).CombinedOutput(); err != nil {
		t.Fatalf("generate: %v %s", err, out)
	}
	data := filepath.Join(dir, "data")
	if out, err := command("--data-dir", data, "ingest", in).CombinedOutput(); err != nil {
		t.Fatalf("ingest: %v %s", err, out)
	}
	out, err := command("--data-dir", data, "--log-level", "error", "report", "--once", "--today", "2026-06-30", "--report-scope", "region=440000").Output()
	if err != nil {
		t.Fatalf("report --once: %v %s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 || !strings.Contains(string(out), "against (none)") || !strings.Contains(string(out), "region=44") {
		t.Errorf("output: %q", out)
	}
	out, err = command("--data-dir", data, "--log-level", "error", "report", "--once", "--today", "2026-06-30").CombinedOutput()
	switch code := exitCode(err); {
	case code == 1 && strings.Contains(string(out), "ran run-"):
	case code == 0 && strings.Contains(string(out), "against run-"):
	default:
		t.Errorf("second report: exit %d %q", code, out)
	}
	for _, args := range [][]string{{"report", "--once", "--report-scope", "region=4x"}, {"report", "--once", "--report-tz", "Mars/Base"},
		{"report", "--once", "--report-webhook", "https://example.cn/hook"}} {
		out, err := command(append([]string{"--data-dir", data}, args...)...).CombinedOutput()
		if exitCode(err) != 2 {
			t.Errorf("%v: exit %d %q", args, exitCode(err), out)
		}
	}
}
