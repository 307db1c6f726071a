package auth

import (
	"strings"
	"testing"
)

func TestNewKeyIsWellFormedAndUnique(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		key, id, err := NewKey()
		if err != nil {
			t.Fatal(err)
		}
		if !WellFormed(key) || !strings.Contains(key, id) || seen[key] {
			t.Fatalf("key %q (id %s) malformed or repeated", key, id)
		}
		seen[key] = true
		if h := Hash(key); len(h) != 64 || strings.Contains(h, id) {
			t.Fatalf("hash %q", h)
		}
	}
}

func TestWellFormedRefusesGarbage(t *testing.T) {
	key, _, _ := NewKey()
	for _, bad := range []string{"", "rgk_", key[:len(key)-1], key + "x", strings.Replace(key, "rgk_", "rgx_", 1),
		"rgk_zzzzzzzzzzzzzzzz_" + key[21:], key[:20] + "-" + key[21:], "' OR 1=1 --"} {
		if WellFormed(bad) {
			t.Errorf("WellFormed(%q) = true", bad)
		}
	}
}

func TestRoles(t *testing.T) {
	if r, err := ParseRole(" Inspector "); err != nil || r != Inspector {
		t.Errorf("ParseRole: %v %v", r, err)
	}
	if r, err := ParseRole("CHECKER"); err != nil || r != Checker || r.Masked() {
		t.Errorf("ParseRole(checker): %v %v", r, err)
	}
	if _, err := ParseRole("root"); err == nil {
		t.Error("unknown role accepted")
	}
	if !Admin.In([]Role{Writer}) || Dashboard.In([]Role{Inspector}) || !Dashboard.In([]Role{Dashboard, Inspector}) {
		t.Error("In: admin is in every set; dashboard only where listed")
	}
	if !Dashboard.Masked() || Inspector.Masked() || Admin.Masked() {
		t.Error("only dashboard is masked")
	}
}

func TestMaskName(t *testing.T) {
	for in, want := range map[string]string{"王芳": "王*", "王小明": "王*", "欧阳娜娜": "欧*", "李": "李*", "": "", "Zhang Wei": "Z*"} {
		if got := MaskName(in); got != want {
			t.Errorf("MaskName(%q) = %q, want %q", in, got, want)
		}
	}
}
