package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// checkData loads two enterprises, one on the serious-violation list, and
// writes a bidder list with both, a mistyped USCC and an unknown key.
func checkData(t *testing.T) (data, bidders string) {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	if err := os.MkdirAll(in, 0o700); err != nil {
		t.Fatal(err)
	}
	write := func(path, text string) {
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(in, "enterprises.csv"), "uscc,name,status\n914403001922038216,华为技术有限公司,active\n91310115NE8PR7JY3Y,上海浦东星河物流有限公司,active\n")
	write(filepath.Join(in, "records.csv"), "record_id,subject_kind,subject,kind,severity,authority,decided,removed\n"+
		"R1,enterprise,91310115NE8PR7JY3Y,serious_violation,0.9,上海市市场监督管理局,2021-07-07,\n")
	data = filepath.Join(dir, "data")
	if out, err := command("--data-dir", data, "ingest", in).CombinedOutput(); err != nil {
		t.Fatalf("ingest: %v %s", err, out)
	}
	bidders = filepath.Join(dir, "bidders.csv")
	write(bidders, "\ufeffUSCC\n914403001922038216\n91310115NE8PR7JY3Y\n91310115NE8PR7JY3X\nsrc:x:none\n")
	return data, bidders
}

// TestCheckCommand: check writes one CSV row per bidder with its verdict,
// stores the checks, and refuses an unknown scenario or a broken
// catalogue with exit status 2 and what to change.
func TestCheckCommand(t *testing.T) {
	data, bidders := checkData(t)
	out, err := command("--data-dir", data, "--log-level", "error", "check", "--scenario", "bidding", "--as-of", "2026-06-01", bidders).Output()
	if err != nil {
		t.Fatalf("check: %v %s", err, out)
	}
	rows, err := csv.NewReader(strings.NewReader(string(out))).ReadAll()
	if err != nil || len(rows) != 5 {
		t.Fatalf("csv: %v %q", err, out)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for i, want := range []struct{ verdict, err string }{{"clear", ""}, {"prohibited", ""}, {"", "not a valid USCC"}, {"", "no such enterprise"}} {
		r := rows[i+1]
		if r[col["verdict"]] != want.verdict || !strings.Contains(r[col["error"]], want.err) || (want.verdict != "" && !strings.HasPrefix(r[col["check_id"]], "chk_")) {
			t.Errorf("row %d: %v, want %v", i+1, r, want)
		}
	}
	if !strings.Contains(rows[2][col["rules"]], "lists-serious-violation-bar") || rows[2][col["line"]] != "3" {
		t.Errorf("prohibited row: %v", rows[2])
	}
	// JSON and HTML.
	jsonOut := filepath.Join(t.TempDir(), "out.json")
	if out, err := command("--data-dir", data, "--log-level", "error", "check", "--scenario", "bidding", "-o", jsonOut, bidders).CombinedOutput(); err != nil {
		t.Fatalf("check -o json: %v %s", err, out)
	}
	var doc struct {
		Checks     []map[string]any `json:"checks"`
		NotChecked []map[string]any `json:"not_checked"`
	}
	raw, _ := os.ReadFile(jsonOut)
	if err := json.Unmarshal(raw, &doc); err != nil || len(doc.Checks) != 2 || len(doc.NotChecked) != 2 {
		t.Errorf("json: %v %s", err, raw)
	}
	out, err = command("--data-dir", data, "--log-level", "error", "check", "--scenario", "bidding", "--format", "html", bidders).Output()
	if err != nil || !strings.Contains(string(out), "信用核查证明") || !strings.Contains(string(out), "上海浦东星河物流有限公司") {
		t.Errorf("html: %v %.300s", err, out)
	}
	// Every check was stored: 3 runs × 2 checked subjects.
	sv := startServe(t, data, "--insecure-dev")
	code, counts := sv.do(t, "GET", "/api/v1/credit-checks?scenario=bidding", "")
	if code != 200 || counts["total"] != float64(6) {
		t.Errorf("stored checks: %d %v", code, counts)
	}
	// While serve holds the data dir, check goes through it.
	out, err = command("--data-dir", data, "--log-level", "error", "check", "--scenario", "bidding", bidders).Output()
	if err != nil || !strings.Contains(string(out), ",prohibited,") || !strings.Contains(string(out), "no such enterprise") {
		t.Errorf("check through serve: %v %s", err, out)
	}
	if _, counts := sv.do(t, "GET", "/api/v1/credit-checks?scenario=bidding", ""); counts["total"] != float64(8) {
		t.Errorf("checks through serve are stored: %v", counts)
	}
	sv.stop(t)

	bad := filepath.Join(t.TempDir(), "m.yaml")
	if err := os.WriteFile(bad, []byte("version: x\nscenarios: [{id: bidding, zh: 招标投标, en: Bidding}]\nrules: [{id: a, scenarios: [bidding], measure: ban}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"check", "--scenario", "tendering", bidders}, []string{"tendering", "bidding", "appointment"}},
		{[]string{"check", "--measures", bad, "--scenario", "bidding", bidders}, []string{bad + ":3:", "rules[0].measure", "allowed: prohibit"}},
		{[]string{"check", bidders}, []string{"--scenario is required"}},
		{[]string{"check", "--scenario", "bidding", "--format", "pdf", bidders}, []string{"--format"}},
		{[]string{"serve", "--measures", bad}, []string{bad + ":3:", "unknown measure"}},
	} {
		out, err := command(append([]string{"--data-dir", data}, tc.args...)...).CombinedOutput()
		if exitCode(err) != 2 {
			t.Errorf("%v: exit %d %s", tc.args, exitCode(err), out)
		}
		for _, w := range tc.want {
			if !strings.Contains(string(out), w) {
				t.Errorf("%v: output lacks %q: %s", tc.args, w, out)
			}
		}
	}
}
