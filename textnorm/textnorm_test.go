package textnorm

import "testing"

func TestForms(t *testing.T) {
	for _, c := range []struct {
		in                                   string
		fold, trim, collapse, clean, key, dg string
	}{
		{"", "", "", "", "", "", ""},
		{"深圳市南山区", "深圳市南山区", "深圳市南山区", "深圳市南山区", "深圳市南山区", "深圳市南山区", ""},
		{"８８号　Ａ座（北）", "88号 A座(北)", "８８号　Ａ座（北）", "８８号 Ａ座（北）", "88号 A座(北)", "88号a座北", "88"},
		{"\uFEFF 9144\u200B ", "\uFEFF 9144\u200B ", "9144", "\uFEFF 9144\u200B", "\uFEFF 9144\u200B", "\ufeff9144\u200b", "9144"},
		{"  a\t\n b  ", "  a\t\n b  ", "a\t\n b", "a b", "a b", "ab", ""},
		{"0755－8601　2345", "0755-8601 2345", "0755－8601　2345", "0755－8601 2345", "0755-8601 2345", "075586012345", "075586012345"},
	} {
		if got := FoldString(c.in); got != c.fold {
			t.Errorf("FoldString(%q) = %q, want %q", c.in, got, c.fold)
		}
		if got := Trim(c.in); got != c.trim {
			t.Errorf("Trim(%q) = %q, want %q", c.in, got, c.trim)
		}
		if got := Collapse(c.in); got != c.collapse {
			t.Errorf("Collapse(%q) = %q, want %q", c.in, got, c.collapse)
		}
		if got := Clean(c.in); got != c.clean {
			t.Errorf("Clean(%q) = %q, want %q", c.in, got, c.clean)
		}
		if got := Key(c.in); got != c.key {
			t.Errorf("Key(%q) = %q, want %q", c.in, got, c.key)
		}
		if got := Digits(c.in); got != c.dg {
			t.Errorf("Digits(%q) = %q, want %q", c.in, got, c.dg)
		}
	}
}

// Forms that need no change come back as the same string (no copy).
func TestUnchangedIsNotCopied(t *testing.T) {
	s := "深圳市南山区88号"
	if got := Key(s); got != s {
		t.Fatalf("Key changed %q to %q", s, got)
	}
	if got := FoldString(s); got != s {
		t.Fatalf("FoldString changed %q to %q", s, got)
	}
}

func FuzzKeyIsIdempotent(f *testing.F) {
	f.Add("８８号　Ａ座（北）")
	f.Fuzz(func(t *testing.T, s string) {
		k := Key(s)
		if Key(k) != k {
			t.Fatalf("Key(Key(%q)) = %q, want %q", s, Key(k), k)
		}
		if c := Clean(s); Clean(c) != c {
			t.Fatalf("Clean is not idempotent on %q", s)
		}
	})
}
