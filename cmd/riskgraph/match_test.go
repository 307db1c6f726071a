package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Enterprises and records of the matching tests: a name without 市 and
// with another legal form (matched), a name two enterprises share in other
// cities (queued for review), a name resembling nothing well enough
// (rejected with the candidates named).
const (
	cliEnterprises = "uscc,name,status\n" +
		"914403001922038216,深圳市汇骏实业有限公司,active\n" +
		"911101050WTCDKQQ0L,北京市华信科技有限公司,active\n" +
		"91330106WA000LH0YG,杭州市华信科技有限公司,active\n"
	cliRecords = "record_id,subject_kind,subject,kind,decided\n" +
		"R1,enterprise,深圳汇骏实业有限责任公司,administrative_penalty,2024-01-05\n" +
		"R2,enterprise,华信科技有限公司,administrative_penalty,2024-01-06\n" +
		"R3,enterprise,汇骏国际贸易集团,administrative_penalty,2024-01-07\n"
)

var matchedLine = regexp.MustCompile(`matching: (\d+) rows matched, (\d+) queued for review \((\d+) of them already queued by an earlier load\), (\d+) rejected`)

func writeCLIMatchFiles(t *testing.T) string {
	t.Helper()
	in := t.TempDir()
	for name, body := range map[string]string{"enterprises.csv": cliEnterprises, "records.csv": cliRecords} {
		if err := os.WriteFile(filepath.Join(in, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return in
}

// TestIngestMatchForwarded: `riskgraph ingest --match` beside a running
// serve resolves through the server (POST /api/v1/match) and queues its
// review entries there (POST /api/v1/match/review): the enterprises of the
// same load are matched, the queued entry is listed by the API, an
// inspector accepts it, and a second run queues nothing again and counts
// nothing as newly queued. The matcher's requests are audited.
func TestIngestMatchForwarded(t *testing.T) {
	data, in := t.TempDir(), writeCLIMatchFiles(t)
	g := []string{"--data-dir", data, "--log-format", "json"}
	out, _, err := run(t, append(g, "keys", "create", "--role", "inspector", "--name", "reviewer")...)
	m := createdRe.FindStringSubmatch(out)
	if err != nil || m == nil {
		t.Fatalf("keys create: %v %q", err, out)
	}
	inspector := m[3]
	out, _, err = run(t, append(g, "keys", "create", "--role", "admin", "--name", "ops")...)
	if m = createdRe.FindStringSubmatch(out); err != nil || m == nil {
		t.Fatalf("keys create: %v %q", err, out)
	}
	admin := m[3]
	sv := startServe(t, data)

	out, errOut, err := run(t, append(g, "ingest", "--source", "court", "--match", "--rejects", filepath.Join(t.TempDir(), "rej.csv"), in)...)
	if exitCode(err) != 1 || !strings.Contains(errOut, "sending the work to it") {
		t.Fatalf("forwarded ingest: exit %d (want 1: a row is rejected)\n%s\n%s", exitCode(err), out, errOut)
	}
	if got := matchedLine.FindStringSubmatch(out); got == nil || got[1] != "1" || got[2] != "1" || got[3] != "0" || got[4] != "1" {
		t.Errorf("summary: %q\n%s", got, out)
	}
	if !strings.Contains(out, "汇骏国际贸易集团") || !strings.Contains(out, "best candidates") {
		t.Errorf("the rejected row does not name its candidates:\n%s", out)
	}
	code, body := sv.do(t, "GET", "/api/v1/enterprises/914403001922038216/records", inspector)
	if code != 200 || !strings.Contains(jsonText(body), "src:court:R1") {
		t.Errorf("R1 attached to 汇骏 through the server: %d %v", code, body)
	}
	// The load's matching went through the server's audited routes.
	for _, route := range []string{"/api/v1/match", "/api/v1/match/review"} {
		code, body := sv.do(t, "GET", "/api/v1/audit?route="+route+"&key_id=local-cli", admin)
		if es, _ := body["entries"].([]any); code != 200 || len(es) == 0 {
			t.Errorf("audit of %s by the forwarding CLI: %d %v", route, code, body)
		}
	}
	code, body = sv.do(t, "GET", "/api/v1/match/review", inspector)
	entries, _ := body["entries"].([]any)
	if code != 200 || len(entries) != 1 {
		t.Fatalf("queue on the server: %d %v", code, body)
	}
	id := entries[0].(map[string]any)["id"].(string)
	code, body = sv.postJSON(t, "/api/v1/match/review/"+id, inspector, map[string]any{"decision": "accept", "key": "911101050WTCDKQQ0L"})
	if code != 200 || body["written"] != 1.0 {
		t.Fatalf("accept: %d %v", code, body)
	}
	code, body = sv.do(t, "GET", "/api/v1/enterprises/911101050WTCDKQQ0L/records", inspector)
	if code != 200 || !strings.Contains(jsonText(body), "src:court:R2") {
		t.Errorf("R2 on 北京华信 after the accept: %d %v", code, body)
	}

	// Again: R2 attaches by the decision (read from the journal), nothing is queued.
	out, errOut, err = run(t, append(g, "ingest", "--source", "court", "--match", "--no-checkpoint", "--rejects", filepath.Join(t.TempDir(), "rej.csv"), in)...)
	if exitCode(err) != 1 {
		t.Fatalf("second forwarded ingest: exit %d\n%s\n%s", exitCode(err), out, errOut)
	}
	if got := matchedLine.FindStringSubmatch(out); got == nil || got[1] != "2" || got[2] != "0" || got[4] != "1" {
		t.Errorf("second run summary: %q\n%s", got, out)
	}
	code, body = sv.do(t, "GET", "/api/v1/match/review?status=all", inspector)
	if entries, _ = body["entries"].([]any); code != 200 || len(entries) != 1 {
		t.Errorf("queue after the second run: %d %v", code, body)
	}
	sv.stop(t)
}

// TestIngestMatchFlags: thresholds out of range or in the wrong order are
// usage errors naming the flag (or the mapping key).
func TestIngestMatchFlags(t *testing.T) {
	data, in := t.TempDir(), writeCLIMatchFiles(t)
	mapFile := filepath.Join(t.TempDir(), "m.yaml")
	if err := os.WriteFile(mapFile, []byte("name: court\nmatch: {accept: 0.8}\ntables:\n  - kind: records\n    columns: {record_id: record_id, subject_kind: subject_kind, subject: subject, kind: kind, decided: decided}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--match-accept", "1.5"}, "--match-accept 1.5: give a score above 0 and at most 1"},
		{[]string{"--match-review", "0"}, "--match-review 0: give a score above 0"},
		{[]string{"--match-accept", "0.8", "--match-review", "0.85"}, "--match-review 0.85 is above --match-accept 0.8"},
		{[]string{"--mapping", mapFile, "--match-review", "0.85"}, "--match-review 0.85 is above match.accept of the mapping court 0.8"},
	} {
		_, errOut, err := run(t, append(append([]string{"--data-dir", data, "ingest"}, c.args...), in)...)
		if exitCode(err) != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d %q; want exit 2 saying %q", c.args, exitCode(err), errOut, c.want)
		}
	}
}

// jsonText renders a decoded JSON answer for substring checks.
func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
