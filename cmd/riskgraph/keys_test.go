package main

import (
	"regexp"
	"strings"
	"testing"
)

func TestKeysCreateListRevoke(t *testing.T) {
	data := t.TempDir()
	out, err := command("--data-dir", data, "--log-format", "json", "keys", "create", "--role", "inspector", "--name", "inspector Li").Output()
	if err != nil {
		t.Fatalf("create: %v %s", err, out)
	}
	m := regexp.MustCompile(`id:\s+(\w+)\nrole: inspector\nkey:\s+(rgk_\S+)`).FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("create output: %q", out)
	}
	id, key := m[1], m[2]
	list, err := command("--data-dir", data, "--log-format", "json", "keys", "list").CombinedOutput()
	if err != nil || !strings.Contains(string(list), id) || strings.Contains(string(list), key) || strings.Contains(string(list), key[len(key)-20:]) {
		t.Errorf("list must name the key but never show it: %v %s", err, list)
	}
	if out, err := command("--data-dir", data, "--log-format", "json", "keys", "revoke", id).CombinedOutput(); err != nil || strings.Contains(string(out), key) {
		t.Errorf("revoke: %v %s", err, out)
	}
	list, _ = command("--data-dir", data, "keys", "list").CombinedOutput()
	if strings.Contains(string(list), id+"  inspector  inspector Li  ") && strings.HasSuffix(strings.TrimSpace(string(list)), "-") {
		t.Errorf("revoked key still listed as valid: %s", list)
	}
	if out, err := command("--data-dir", data, "keys", "revoke", "nope").CombinedOutput(); exitCode(err) != 2 || !strings.Contains(string(out), "no key") {
		t.Errorf("revoke unknown: exit %d %s", exitCode(err), out)
	}
	if out, err := command("--data-dir", data, "keys", "create", "--role", "root", "--name", "x").CombinedOutput(); exitCode(err) != 2 {
		t.Errorf("unknown role: exit %d %s", exitCode(err), out)
	}
}
