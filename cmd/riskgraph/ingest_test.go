package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// reportRows reads a rejects report (CSV with a BOM) and returns its rows
// after the header.
func reportRows(t *testing.T, path string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(b), "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs[1:]
}

// A file whose first line is data, not a header, is refused as a whole: its
// one reject stands for all its rows. The summary used to say "N-1 more
// rejected rows not listed" although the report held one row.
func TestIngestSummaryCountsWhatTheReportHolds(t *testing.T) {
	dir := t.TempDir()
	ent := filepath.Join(dir, "enterprises.csv")
	var b strings.Builder
	for range 6 {
		b.WriteString("914403001922038216,深圳测试有限公司\n")
	}
	if err := os.WriteFile(ent, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	persons := filepath.Join(dir, "persons.csv")
	if err := os.WriteFile(persons, []byte("person_id,name\nP1,张三\nP2,\nP3,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rejects := filepath.Join(dir, "rejects.csv")
	out, err := command("--data-dir", dir, "ingest", "--progress", "none", "--rejects", rejects, ent, persons).CombinedOutput()
	if exitCode(err) != 1 {
		t.Fatalf("exit %d, output %s", exitCode(err), out)
	}
	rows := reportRows(t, rejects)
	if len(rows) != 3 { // the refused file, and the two persons without a name
		t.Fatalf("report rows %v", rows)
	}
	s := string(out)
	for _, want := range []string{"(3 rejects, 0 warnings)", "5 rejected rows belong to files refused as a whole"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "more rejects") || strings.Contains(s, "not listed") {
		t.Errorf("the summary claims rejects the report does not hold:\n%s", s)
	}
	if !regexp.MustCompile(`8 rows in [0-9.]+m?s \([0-9.]+ rows/s\)`).MatchString(s) {
		t.Errorf("no rows/s in the summary:\n%s", s)
	}
}

// --no-header with --columns loads a headerless file; without --columns (and
// no mapping) it is a usage error saying what to give.
func TestIngestNoHeader(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "enterprises.csv")
	if err := os.WriteFile(in, []byte("91440305MA5F000189;深圳市华信科技有限公司\n91110105MA01A0037P;北京某某科技有限公司\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := command("--data-dir", dir, "ingest", "--progress", "none", "--no-header", in).CombinedOutput()
	if exitCode(err) != 2 || !strings.Contains(string(out), "--columns") {
		t.Errorf("--no-header alone: exit %d, %s", exitCode(err), out)
	}
	out, err = command("--data-dir", dir, "ingest", "--progress", "none", "--no-header", "--columns", "uscc,name", "--delimiter", ";", in).CombinedOutput()
	if err != nil || !regexp.MustCompile(`(?m)^\s*enterprises\s+2\s+2\s+0\s`).Match(out) {
		t.Errorf("--no-header --columns: exit %d, %s", exitCode(err), out)
	}
}
