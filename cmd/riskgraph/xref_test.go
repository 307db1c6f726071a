package main

import (
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"riskgraph/models"
)

var xrefRe = regexp.MustCompile(`(?m)^xref (xref-\S+) completed`)

// TestXrefLocalAndThroughServe: riskgraph xref on a data dir finds the one
// company two data sets hold (a source key and a USCC, traditional
// characters, another legal-form spelling, the phone written another way),
// a re-run adds nothing; beside serve the same command runs on the server
// (over the socket) and the pair it found can be confirmed over HTTP,
// after which the network treats the two as one.
func TestXrefLocalAndThroughServe(t *testing.T) {
	data, in := t.TempDir(), t.TempDir()
	code, err := models.NewUSCC('9', '1', "360802", "MA35ABCD")
	if err != nil {
		t.Fatal(err)
	}
	uscc := string(code)
	write := func(dir, body string) string {
		t.Helper()
		p := filepath.Join(in, dir)
		if err := os.MkdirAll(p, 0o700); err != nil {
			t.Fatal(err)
		}
		p = filepath.Join(p, "enterprises.csv")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tax := write("tax", "id,name,phone\nT1,吉安汇骏实业有限责任公司,0796-8225123\nT2,南昌宏达五金有限公司,\n")
	court := write("court", "uscc,name,region,phone\n"+uscc+",吉安市匯駿實業有限公司,360802,+86 796 8225 123\n")
	g := []string{"--data-dir", data, "--log-format", "json"}
	for _, c := range [][]string{{"ingest", "--source", "tax", tax}, {"ingest", "--source", "court", court}} {
		if out, errOut, err := run(t, append(g, c...)...); err != nil {
			t.Fatalf("%v: %v\n%s%s", c, err, out, errOut)
		}
	}
	out, errOut, err := run(t, append(g, "xref")...)
	if err != nil || xrefRe.FindStringSubmatch(out) == nil || !strings.Contains(out, "pairs at or above 0.9: 1 (1 new, 0 already known)") {
		t.Fatalf("xref: %v\n%s%s", err, out, errOut)
	}
	out, errOut, err = run(t, append(g, "xref")...)
	if err != nil || !strings.Contains(out, "pairs at or above 0.9: 1 (0 new, 1 already known)") {
		t.Fatalf("xref again: %v\n%s%s", err, out, errOut)
	}
	for _, bad := range [][]string{{"xref", "--max-block", "1"}, {"xref", "--threshold", "2"}} {
		if _, errOut, err := run(t, append(g, bad...)...); exitCode(err) != 2 || !strings.Contains(errOut, bad[1]) {
			t.Errorf("%v: exit %d %s, want 2 naming the flag", bad, exitCode(err), errOut)
		}
	}

	sv := startServe(t, data)
	defer sv.stop(t)
	out, errOut, err = run(t, append(g, "xref", "--max-block", "32")...)
	if err != nil || xrefRe.FindStringSubmatch(out) == nil || !strings.Contains(out, "(0 new, 1 already known)") ||
		!strings.Contains(out, "more than 32 enterprises") {
		t.Fatalf("xref through serve: %v\n%s%s\nserve:\n%s", err, out, errOut, sv.stderr.String())
	}
	if !strings.Contains(sv.stderr.String(), `"trigger":"api"`) {
		t.Errorf("serve did not run the xref:\n%s", sv.stderr.String())
	}
	key := createKey(t, data, "inspector")
	code2, body := sv.do(t, "GET", "/api/v1/xref/pairs?status=candidate", key)
	pairs, _ := body["pairs"].([]any)
	if code2 != 200 || len(pairs) != 1 {
		t.Fatalf("pairs: %d %v", code2, body)
	}
	p := pairs[0].(map[string]any)
	if p["a"] != uscc || p["b"] != "src:tax:T1" {
		t.Errorf("pair: %v", p)
	}
	code2, body = sv.postJSON(t, "/api/v1/xref/pairs/"+p["id"].(string), key, map[string]string{"decision": "confirm"})
	if code2 != 200 || body["status"] != "confirmed" {
		t.Fatalf("confirm: %d %v", code2, body)
	}
	code2, body = sv.do(t, "GET", "/api/v1/enterprises/"+url.PathEscape("src:tax:T1")+"/network?depth=1", key)
	if code2 != 200 || !strings.Contains(strings.Join(nodeRefKeys(body), " "), uscc) {
		t.Errorf("network of the source key after confirm: %d %v", code2, body)
	}
}

func nodeRefKeys(body map[string]any) []string {
	var ks []string
	nodes, _ := body["nodes"].([]any)
	for _, n := range nodes {
		ref, _ := n.(map[string]any)["ref"].(map[string]any)
		k, _ := ref["key"].(string)
		ks = append(ks, k)
	}
	return ks
}
