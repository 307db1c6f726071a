package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/rs/zerolog"

	"riskgraph/store"
	"riskgraph/store/memory"
	"riskgraph/synth"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "riskgraph-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "riskgraph")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		panic("build: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// command prepares the binary with a clean environment: embedded store, no Redis.
func command(args ...string) *exec.Cmd {
	cmd := exec.Command(binary, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "RISKGRAPH_STORE=memory"}
	return cmd
}

func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

func TestReportWithoutOnceExit2(t *testing.T) {
	out, err := command("--data-dir", t.TempDir(), "report").CombinedOutput()
	if exitCode(err) != 2 || !strings.Contains(string(out), "--once") {
		t.Errorf("report: exit %d, output %q", exitCode(err), out)
	}
}

func TestBadSettingsExit2(t *testing.T) {
	cases := [][]string{
		{"--store", "postgres", "serve"},
		{"--log-level", "loud", "version"},
		{"generate", "--enterprises", "10"},
	}
	for _, args := range cases {
		cmd := command(args...)
		cmd.Dir = t.TempDir()
		out, err := cmd.CombinedOutput()
		if exitCode(err) != 2 || !strings.Contains(string(out), "riskgraph:") {
			t.Errorf("%v: exit %d, output %q", args, exitCode(err), out)
		}
	}
	dir := t.TempDir()
	csv := filepath.Join(dir, "enterprises.csv")
	if err := os.WriteFile(csv, []byte("uscc,name\n914403001922038216,x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := command("--data-dir", dir, "ingest", "--key-budget", "0", csv).CombinedOutput()
	if exitCode(err) != 2 || !strings.Contains(string(out), "--key-budget 0") {
		t.Errorf("ingest --key-budget 0: exit %d, output %q", exitCode(err), out)
	}
	cmd := command("--store", "neo4j", "serve")
	out, err = cmd.CombinedOutput()
	if exitCode(err) == 0 || !strings.Contains(string(out), "NEO4J_URI") {
		t.Errorf("neo4j without a URI: exit %d, %q", exitCode(err), out)
	}
}

func TestVersion(t *testing.T) {
	out, err := command("version").Output()
	if err != nil || !strings.HasPrefix(string(out), "riskgraph ") {
		t.Errorf("version: %q %v", out, err)
	}
}

// TestSIGKILLDuringIngestKeepsAcknowledgedBatches kills a load after some
// batches were acknowledged and checks that every one of them survives, then
// that a second run completes the load.
func TestSIGKILLDuringIngestKeepsAcknowledgedBatches(t *testing.T) {
	tmp := t.TempDir()
	input, data := filepath.Join(tmp, "in"), filepath.Join(tmp, "data")
	if _, err := synth.Generate(synth.GenerateOptions{Enterprises: 3000, Seed: 7, Out: input}); err != nil {
		t.Fatal(err)
	}
	keys := enterpriseKeys(t, filepath.Join(input, "enterprises.csv"))

	cmd := command("--data-dir", data, "--log-format", "json", "ingest", "--batch-size", "25", "--source", "kill", input)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked, batches := 0, 0
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		var line struct {
			Message string `json:"message"`
			File    string `json:"file"`
			Rows    int    `json:"rows"`
		}
		if json.Unmarshal(sc.Bytes(), &line) != nil || line.Message != "batch written" {
			continue
		}
		if line.File == "enterprises.csv" {
			acked = line.Rows
		} else {
			// Files load one after another: a later file's batch means every
			// enterprise row was acknowledged (a slow reader of this log
			// can fall behind the load).
			acked = len(keys)
		}
		// Batches are acknowledged out of order (several are in flight);
		// rows counts only those acknowledged without a gap, so wait until
		// some are before killing.
		if batches++; batches >= 5 && acked > 0 {
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	go io.Copy(io.Discard, stderr)
	if err := cmd.Wait(); exitCode(err) != -1 {
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("the load was not killed: %v", err)
		}
	}
	if acked == 0 {
		t.Fatal("no batch was acknowledged before the kill")
	}

	s, err := memory.Open(memory.Options{DataDir: data, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatalf("restart after SIGKILL failed: %v", err)
	}
	ctx := context.Background()
	for i, k := range keys[:acked] {
		if _, err := s.Enterprise(ctx, k); err != nil {
			t.Fatalf("acknowledged row %d (%s) lost after SIGKILL: %v", i+2, k, err)
		}
	}
	s.Close()
	t.Logf("killed after %d acknowledged rows; all present after restart", acked)

	out, err := command("--data-dir", data, "--log-format", "json", "ingest", "--source", "kill", input).CombinedOutput()
	if err != nil {
		t.Fatalf("second run: %v\n%s", err, out)
	}
	s, err = memory.Open(memory.Options{DataDir: data, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	n := 0
	s.Scan(ctx, 10_000, func(b *store.Batch) error {
		for _, e := range b.Enterprises {
			if !e.Placeholder {
				n++
			}
		}
		return nil
	})
	if n != len(keys) {
		t.Errorf("after the second run: %d enterprises, want %d", n, len(keys))
	}
}

// enterpriseKeys reads the key of every row of a canonical enterprises file.
func enterpriseKeys(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	var keys []string
	for _, r := range rows[1:] {
		if k := r[col["uscc"]]; k != "" {
			keys = append(keys, k)
		} else {
			keys = append(keys, "src:kill:"+r[col["id"]])
		}
	}
	return keys
}
