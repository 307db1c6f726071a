package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"riskgraph/synth"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func getJSON(t *testing.T, u string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return resp.StatusCode, body
}

// TestDemoServesTheGeneratedSample runs `riskgraph demo` on a small sample
// and asks every first endpoint about an enterprise from the generated data.
func TestDemoServesTheGeneratedSample(t *testing.T) {
	data := t.TempDir()
	addr := freeAddr(t)
	cmd := command("--data-dir", data, "--addr", addr, "--log-format", "json", "demo", "--enterprises", "600", "--seed", "3")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	base := "http://" + addr
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("demo did not become ready within 60 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	gt, err := synth.ReadGroundTruth(filepath.Join(data, demoInput, synth.GroundTruthFile))
	if err != nil {
		t.Fatal(err)
	}
	// A planted serial legal representative: their enterprises are connected.
	serial := gt.ByKind("serial_legal_rep")
	if len(serial) == 0 || len(serial[0].Enterprises) < 2 {
		t.Fatalf("no serial legal representative planted: %+v", serial)
	}
	a, b := serial[0].Enterprises[0], serial[0].Enterprises[1]

	if code, body := getJSON(t, base+"/api/v1/enterprises/"+a); code != 200 || body["enterprise"].(map[string]any)["uscc"] != a {
		t.Errorf("enterprise %s: %d %v", a, code, body)
	}
	code, body := getJSON(t, fmt.Sprintf("%s/api/v1/enterprises/%s/network?depth=1&types=LEGAL_REP_OF", base, a))
	if code != 200 || len(body["nodes"].([]any)) < 2 {
		t.Errorf("network of %s: %d %v", a, code, body)
	}
	code, body = getJSON(t, fmt.Sprintf("%s/api/v1/paths?from=%s&to=%s&max_depth=2&types=LEGAL_REP_OF", base, a, b))
	if code != 200 || len(body["paths"].([]any)) == 0 {
		t.Errorf("paths %s→%s through their legal representative: %d %v", a, b, code, body)
	}
	var person string
	for _, n := range body["paths"].([]any)[0].(map[string]any)["nodes"].([]any) {
		ref := n.(map[string]any)["ref"].(map[string]any)
		if ref["kind"] == "person" {
			person = ref["key"].(string)
		}
	}
	if code, body := getJSON(t, base+"/api/v1/persons/"+person); code != 200 {
		t.Errorf("person %s: %d %v", person, code, body)
	}
	_, body = getJSON(t, base+"/api/v1/enterprises/"+a)
	name := body["enterprise"].(map[string]any)["name"].(string)
	code, body = getJSON(t, base+"/api/v1/search?q="+url.QueryEscape(name))
	if code != 200 || len(body["hits"].([]any)) == 0 || body["hits"].([]any)[0].(map[string]any)["name"] != name {
		t.Errorf("search %s: %d %v", name, code, body)
	}
	if code, _ := getJSON(t, base+"/api/v1/enterprises/"+a[:17]+"0"); code != 400 && a[17] != '0' {
		t.Errorf("a wrong check character: %d, want 400", code)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("demo did not shut down cleanly on SIGTERM: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Error("demo did not stop within 15 s of SIGTERM")
	}
}
