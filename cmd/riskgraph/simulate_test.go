package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"riskgraph/credit"
)

// TestCheckSimulate: check --simulate answers how a candidate catalogue
// would change the verdicts (one enterprise on the serious-violation list,
// in the four scenarios where a restriction becomes a bar), and refuses a
// broken candidate with its line.
func TestCheckSimulate(t *testing.T) {
	data, _ := checkData(t)
	raw, err := os.ReadFile("../../credit/measures.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// Serious dishonesty in access, approvals … is barred rather than restricted.
	i := strings.Index(string(raw), "id: serious-dishonesty-restrict")
	j := i + strings.Index(string(raw)[i:], "measure: restrict")
	cand := filepath.Join(t.TempDir(), "new.yaml")
	if err := os.WriteFile(cand, []byte(string(raw)[:j]+"measure: prohibit"+string(raw)[j+len("measure: restrict"):]), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := command("--data-dir", data, "--log-level", "error", "check", "--simulate", cand).Output()
	if err != nil {
		t.Fatalf("%v %s", err, out)
	}
	var v struct{ Catalogue credit.Simulation }
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatal(err, string(out))
	}
	if v.Catalogue.Changed != 1 || v.Catalogue.Changes != 6 || v.Catalogue.Evaluated != 1 {
		t.Errorf("simulation: %s", out)
	}
	broken := filepath.Join(t.TempDir(), "broken.yaml")
	if err := os.WriteFile(broken, []byte(strings.Replace(string(raw), "measure: prohibit", "measure: ban", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := command("--data-dir", data, "check", "--simulate", broken)
	msg, err := cmd.CombinedOutput()
	if err == nil || cmd.ProcessState.ExitCode() != 2 || !strings.Contains(string(msg), "broken.yaml:") || !strings.Contains(string(msg), `unknown measure "ban"`) {
		t.Errorf("a broken candidate: %v %s", err, msg)
	}
}
