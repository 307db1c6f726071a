package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"riskgraph/ingest"
	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/memory"
	"riskgraph/synth"
)

// serving is a riskgraph serve process.
type serving struct {
	cmd    *exec.Cmd
	base   string
	stderr *bytes.Buffer
	exited chan error
}

// startServe starts the binary's serve on a free port and waits until
// /healthz answers (or the process exits).
func startServe(t *testing.T, data string, extra ...string) *serving {
	t.Helper()
	addr := freeAddr(t)
	args := append([]string{"--data-dir", data, "--addr", addr, "--log-format", "json", "serve"}, extra...)
	sv := &serving{cmd: command(args...), base: "http://" + addr, stderr: &bytes.Buffer{}, exited: make(chan error, 1)}
	sv.cmd.Stderr = sv.stderr
	if err := sv.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { sv.exited <- sv.cmd.Wait() }()
	t.Cleanup(func() { _ = sv.cmd.Process.Kill() })
	for i := 0; ; i++ {
		select {
		case err := <-sv.exited:
			t.Fatalf("serve exited before answering: %v\n%s", err, sv.stderr.String())
		default:
		}
		if resp, err := http.Get(sv.base + "/healthz"); err == nil {
			resp.Body.Close()
			return sv
		}
		if i == 600 {
			t.Fatalf("serve did not answer within 60 s:\n%s", sv.stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stop sends SIGTERM and checks a clean exit.
func (sv *serving) stop(t *testing.T) {
	t.Helper()
	if err := sv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := <-sv.exited; err != nil {
		t.Errorf("serve after SIGTERM: %v\n%s", err, sv.stderr.String())
	}
}

func (sv *serving) do(t *testing.T, method, path, key string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, sv.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

func createKey(t *testing.T, data, role string) string {
	t.Helper()
	out, err := command("--data-dir", data, "--log-format", "json", "keys", "create", "--role", role, "--name", role+" test").Output()
	if err != nil {
		t.Fatalf("keys create: %v %s", err, out)
	}
	m := regexp.MustCompile(`key:\s+(rgk_\S+)`).FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("keys create output: %q", out)
	}
	return m[1]
}

// TestServeRequiresKeys: riskgraph serve without --insecure-dev refuses
// requests without a key (401) while /healthz stays public; a key made with
// riskgraph keys create is accepted, an admin key starts an engine run
// through POST /api/v1/runs and the run completes and is listed.
func TestServeRequiresKeys(t *testing.T) {
	data := t.TempDir()
	in := t.TempDir()
	if _, err := synth.Generate(synth.GenerateOptions{Enterprises: 200, Seed: 9, Out: in}); err != nil {
		t.Fatal(err)
	}
	s, err := memory.Open(memory.Options{DataDir: data, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	h, _ := models.NewPIDHasher([]byte("serve-test-key-0123456789"))
	if _, err := ingest.LoadDir(context.Background(), in, s, ingest.LoadOptions{Hasher: h, Source: "t", Logger: zerolog.Nop()}); err != nil {
		t.Fatal(err)
	}
	var key string
	_ = s.Scan(context.Background(), 1000, func(b *store.Batch) error {
		for _, e := range b.Enterprises {
			if key == "" && e.USCC != "" && !e.Placeholder {
				key = e.USCC
			}
		}
		return nil
	})
	s.Close()

	sv := startServe(t, data)
	path := "/api/v1/enterprises/" + key
	if code, body := sv.do(t, "GET", path, ""); code != 401 || !strings.Contains(message(body), "API key is required") {
		t.Errorf("without a key: %d %v", code, body)
	}
	if code, _ := sv.do(t, "GET", path, "rgk_0123456789abcdef_"+strings.Repeat("A", 43)); code != 401 {
		t.Errorf("unknown key: %d", code)
	}
	if code, _ := sv.do(t, "GET", "/healthz", ""); code != 200 {
		t.Errorf("healthz: %d", code)
	}
	if !strings.Contains(sv.stderr.String(), `"insecure_dev":false`) || strings.Contains(sv.stderr.String(), "INSECURE DEV MODE") {
		t.Errorf("serve must not be in insecure dev mode by default:\n%s", sv.stderr.String())
	}
	sv.stop(t)

	// The embedded store belongs to one process: create keys while it is stopped.
	inspector := createKey(t, data, "inspector")
	admin := createKey(t, data, "admin")
	sv = startServe(t, data)
	if code, body := sv.do(t, "GET", path, inspector); code != 200 || body["enterprise"] == nil {
		t.Errorf("with an inspector key: %d %v", code, body)
	}
	if code, _ := sv.do(t, "POST", "/api/v1/runs", inspector); code != 403 {
		t.Errorf("inspector triggering a run: %d, want 403", code)
	}
	code, body := sv.do(t, "POST", "/api/v1/runs", admin)
	id, _ := body["run"].(string)
	if code != 202 || id == "" {
		t.Fatalf("admin triggering a run: %d %v", code, body)
	}
	for i := 0; ; i++ {
		_, run := sv.do(t, "GET", "/api/v1/runs/"+id, admin)
		if run["status"] == "completed" {
			break
		}
		if run["status"] == "failed" || i == 600 {
			t.Fatalf("triggered run: %v\n%s", run, sv.stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if code, body := sv.do(t, "GET", path+"/risk", inspector); code != 200 || body["grade"] == "" {
		t.Errorf("risk after the triggered run: %d %v", code, body)
	}
	sv.stop(t)

	// After a restart, the latest completed run's result is restored from
	// the store: /risk answers again (503 only while restoring).
	sv = startServe(t, data)
	for i := 0; ; i++ {
		code, body := sv.do(t, "GET", path+"/risk", inspector)
		if code == 200 && body["grade"] != "" {
			break
		}
		if code != 503 || i == 300 {
			t.Fatalf("risk after a restart: %d %v\n%s", code, body, sv.stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(sv.stderr.String(), "engine result restored") {
		t.Errorf("no log line about the restored result:\n%s", sv.stderr.String())
	}
	sv.stop(t)
}

// TestServeNeo4jUnreachable: a Neo4j that does not answer ends serve with
// a clear message and a non-zero status, not a hang.
func TestServeNeo4jUnreachable(t *testing.T) {
	addr := freeAddr(t) // nothing listens there any more
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "--neo4j-uri", "bolt://"+addr, "--data-dir", t.TempDir(), "serve")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("serve hung on an unreachable Neo4j:\n%s", out)
	}
	if exitCode(err) == 0 || !strings.Contains(string(out), fmt.Sprintf("neo4j at bolt://%s", addr)) || !strings.Contains(string(out), "unavailable") {
		t.Errorf("exit %d, output %q; want a non-zero exit naming the URI and saying it is unavailable", exitCode(err), out)
	}
}
