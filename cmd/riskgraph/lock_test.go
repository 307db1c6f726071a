package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"riskgraph/store/memory"
)

// The data dir of the embedded store has one writer; while serve holds it
// the CLI's writes go to serve over the data dir's socket (forward.go).

// run runs the binary and returns its stdout and stderr.
func run(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	cmd := command(args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return out.String(), errb.String(), err
}

var (
	createdRe = regexp.MustCompile(`id:\s+(\w+)\nrole: (\w+)\nkey:\s+(rgk_\S+)`)
	runRe     = regexp.MustCompile(`(?m)^run (\S+) completed`)
)

// writeEnterprises writes n enterprises without USCC (keyed src:<source>:L<i>).
func writeEnterprises(t *testing.T, path string, n int) []string {
	t.Helper()
	var b strings.Builder
	b.WriteString("id,name,status\n")
	keys := make([]string, n)
	for i := range n {
		id := fmt.Sprintf("L%05d", i)
		fmt.Fprintf(&b, "%s,并发测试企业%05d有限公司,active\n", id, i)
		keys[i] = "src:lock:" + id
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return keys
}

// postJSON sends a JSON body with a key.
func (sv *serving) postJSON(t *testing.T, path, key string, body any) (int, map[string]any) {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", sv.base+path, bytes.NewReader(raw))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// missingEnterprises asks serve for every key (1 000 per request) and
// returns how many it does not have.
func (sv *serving) missingEnterprises(t *testing.T, key string, keys []string) int {
	t.Helper()
	missing := 0
	for i := 0; i < len(keys); i += 1000 {
		code, body := sv.postJSON(t, "/api/v1/enterprises:batch", key, map[string]any{"keys": keys[i:min(i+1000, len(keys))]})
		if code != 200 {
			t.Fatalf("enterprises:batch: %d %v", code, body)
		}
		m, _ := body["missing"].([]any)
		missing += len(m)
	}
	return missing
}

// TestCLIWritesWhileServing is issue 13's scenario on the real binary:
// serve holds the data dir; in parallel 20 keys create, 10 keys revoke, an
// ingest of 10 000 rows and a score run through it. Afterwards every kept
// key works, every revoked key is refused on the first request after its
// revoke returned (although serve had just accepted it), every row is
// there, and /risk answers from the new run — and all of it again after a
// restart. A second serve and a compact stop with the holder's pid.
func TestCLIWritesWhileServing(t *testing.T) {
	data, in := t.TempDir(), t.TempDir()
	csv := filepath.Join(in, "enterprises.csv")
	keys := writeEnterprises(t, csv, 10_000)
	late := filepath.Join(in, "late.csv")
	if err := os.WriteFile(late, []byte("id,name\nLATE,迟到企业有限公司\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const lateKey = "src:lock:LATE"

	sv := startServe(t, data)
	pid := sv.cmd.Process.Pid
	g := []string{"--data-dir", data, "--log-format", "json"}

	// What cannot go through serve stops and names it.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--addr", freeAddr(t), "serve"}, "one server per data dir"},
		{[]string{"compact"}, "stop that process"},
		{[]string{"score", "--today", "2025-01-01"}, "without these flags"},
	} {
		_, errOut, err := run(t, append(g, c.args...)...)
		if exitCode(err) != 1 || !strings.Contains(errOut, fmt.Sprintf("riskgraph serve (pid %d)", pid)) || !strings.Contains(errOut, c.want) {
			t.Errorf("%v while serve runs: exit %d, %q; want exit 1 naming pid %d and %q", c.args, exitCode(err), errOut, pid, c.want)
		}
	}
	// One enterprise before the score, so that only the new run knows it.
	if out, errOut, err := run(t, append(g, "ingest", "--source", "lock", late)...); err != nil {
		t.Fatalf("ingest through serve: %v\n%s%s", err, out, errOut)
	}

	type created struct{ id, role, key string }
	var (
		mu       sync.Mutex
		kept     []created
		failures []string
		wg       sync.WaitGroup
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		failures = append(failures, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	for i := range 20 {
		wg.Go(func() {
			role := []string{"inspector", "dashboard", "admin", "writer"}[i%4]
			out, errOut, err := run(t, append(g, "keys", "create", "--role", role, "--name", fmt.Sprintf("parallel %d", i))...)
			m := createdRe.FindStringSubmatch(out)
			if err != nil || m == nil {
				fail("keys create %d: %v %q %s", i, err, out, errOut)
				return
			}
			k := created{m[1], m[2], m[3]}
			// serve accepts it at once, and now remembers it as valid.
			if code, body := sv.do(t, "GET", "/api/v1/runs", k.key); code != 200 && code != 403 {
				fail("key %s right after keys create: %d %v", k.id, code, body)
			}
			if i >= 10 {
				mu.Lock()
				kept = append(kept, k)
				mu.Unlock()
				return
			}
			if out, errOut, err := run(t, append(g, "keys", "revoke", k.id)...); err != nil {
				fail("keys revoke %s: %v %s %s", k.id, err, out, errOut)
				return
			}
			returned := time.Now()
			code, body := sv.do(t, "GET", "/api/v1/runs", k.key)
			if code != 401 || !strings.Contains(message(body), "revoked") {
				fail("revoked key %s on the first request after keys revoke returned (%v later): %d %q, want 401 revoked", k.id, time.Since(returned), code, message(body))
			}
		})
	}
	var ingestOut, scoreOut string
	wg.Go(func() {
		out, errOut, err := run(t, append(g, "ingest", "--source", "lock", "--batch-size", "500", csv)...)
		ingestOut = out
		if err != nil || !regexp.MustCompile(`total\s+10000\s+10000\s+0`).MatchString(out) {
			fail("ingest of 10 000 rows through serve: %v\n%s\n%s", err, out, errOut)
		}
	})
	wg.Go(func() {
		out, errOut, err := run(t, append(g, "score")...)
		scoreOut = out
		if err != nil || runRe.FindStringSubmatch(out) == nil || !strings.Contains(out, "grades (enterprises):") {
			fail("score through serve: %v\n%s\n%s", err, out, errOut)
		}
	})
	wg.Wait()
	for _, f := range failures {
		t.Error(f)
	}
	if t.Failed() {
		t.Fatalf("serve's log:\n%s", sv.stderr.String())
	}
	t.Logf("ingest:\n%s\nscore:\n%s", ingestOut, scoreOut)
	runID := runRe.FindStringSubmatch(scoreOut)[1]
	var reader string // a kept key that reads enterprises
	for _, k := range kept {
		if k.role == "inspector" || k.role == "admin" {
			reader = k.key
		}
	}

	check := func(when string) {
		t.Helper()
		for _, k := range kept {
			want := 200
			if k.role == "writer" {
				want = 403 // authenticated, but runs are not a writer's
			}
			if code, body := sv.do(t, "GET", "/api/v1/runs", k.key); code != want {
				t.Errorf("%s: kept %s key %s: %d %v, want %d", when, k.role, k.id, code, body, want)
			}
		}
		if n := sv.missingEnterprises(t, reader, keys); n != 0 {
			t.Errorf("%s: %d of the 10 000 ingested enterprises are missing", when, n)
		}
		if code, body := sv.do(t, "GET", "/api/v1/runs?limit=1", reader); code != 200 || !strings.Contains(fmt.Sprint(body["runs"]), runID) {
			t.Errorf("%s: newest run: %d %v, want %s", when, code, body, runID)
		}
		// The enterprise loaded just before the score is known to the new
		// run only: an older result would answer 404 (or 503 for none).
		for i := 0; ; i++ {
			code, body := sv.do(t, "GET", "/api/v1/enterprises/"+lateKey+"/risk", reader)
			stored, _ := body["stored"].(map[string]any)
			if code == 200 && stored["run"] == runID {
				break
			}
			if when == "right after" || code != 503 || i == 600 {
				t.Fatalf("%s: risk of %s: %d %v, want 200 from run %s", when, lateKey, code, body, runID)
			}
			time.Sleep(100 * time.Millisecond) // restoring after a restart
		}
	}
	check("right after")
	// keys list through serve names every key, never a key itself.
	out, errOut, err := run(t, append(g, "keys", "list")...)
	if err != nil || strings.Count(out, "\n") != 21 || strings.Contains(out, "rgk_") {
		t.Errorf("keys list through serve: %v\n%s%s", err, out, errOut)
	}
	sv.stop(t)
	if _, err := os.Stat(filepath.Join(data, socketFile)); !os.IsNotExist(err) {
		t.Errorf("the socket outlived serve: %v", err)
	}

	sv = startServe(t, data)
	defer sv.stop(t)
	check("after a restart")
	// Revoked keys stay revoked.
	out, _, _ = run(t, append(g, "keys", "list")...)
	if n := len(regexp.MustCompile(`(?m)\s\d{4}-\d\d-\d\dT\S+Z\s*$`).FindAllString(out, -1)); n != 10 {
		t.Errorf("after a restart %d keys are listed revoked, want 10:\n%s", n, out)
	}
}

// TestKeysListReadsOnly: keys list with no server running changes no file
// of the data dir — not even a torn last journal record, which a writing
// open would cut off — and works while another process holds the dir.
func TestKeysListReadsOnly(t *testing.T) {
	data := t.TempDir()
	g := []string{"--data-dir", data, "--log-format", "json"}
	out, _, err := run(t, append(g, "keys", "create", "--role", "admin", "--name", "ops")...)
	m := createdRe.FindStringSubmatch(out)
	if err != nil || m == nil {
		t.Fatalf("keys create: %v %q", err, out)
	}
	journal := filepath.Join(data, memory.JournalFile)
	f, err := os.OpenFile(journal, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte{0x40, 0, 0, 0, 9, 9, 9, 9, '{'}) // a record cut short
	f.Close()
	before := dirState(t, data)
	time.Sleep(10 * time.Millisecond) // a write would show in the mtimes

	out, errOut, err := run(t, append(g, "keys", "list")...)
	if err != nil || !strings.Contains(out, m[1]) {
		t.Fatalf("keys list: %v\n%s%s", err, out, errOut)
	}
	if after := dirState(t, data); after != before {
		t.Errorf("keys list changed the data dir:\nbefore %s\nafter  %s", before, after)
	}

	// Another process holds the dir (this test, through the store) and
	// serves no socket: keys list still reads; keys create stops naming it.
	s, err := memory.Open(memory.Options{DataDir: data, Logger: zerolog.Nop(), Command: "ingest"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if out, errOut, err := run(t, append(g, "keys", "list")...); err != nil || !strings.Contains(out, m[1]) {
		t.Errorf("keys list while another process holds the dir: %v\n%s%s", err, out, errOut)
	}
	_, errOut, err = run(t, append(g, "keys", "create", "--role", "admin", "--name", "x")...)
	if exitCode(err) != 1 || !strings.Contains(errOut, fmt.Sprintf("riskgraph ingest (pid %d)", os.Getpid())) || !strings.Contains(errOut, "wait for it") {
		t.Errorf("keys create while another process holds the dir: exit %d %s", exitCode(err), errOut)
	}
	if ks, err := s.Keys(context.Background()); err != nil || len(ks) != 1 {
		t.Errorf("keys after the refused create: %v %v", ks, err)
	}
}

// dirState describes every file of dir: name, size, mtime and bytes.
func dirState(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		var raw []byte
		if fi.Mode().IsRegular() {
			if raw, err = os.ReadFile(p); err != nil {
				return err
			}
		}
		fmt.Fprintf(&b, "%s %d %v %d %x\n", p, fi.Size(), fi.Mode(), fi.ModTime().UnixNano(), raw)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}
