package scenario

import (
	"os"
	"path/filepath"
	"testing"
)

func TestParseAndFormat(t *testing.T) {
	in := "what it checks\n\n-- input --\na\nb\n-- want --\nA\n-- empty --\n"
	f := Parse("x", []byte(in))
	if f.Comment != "what it checks\n\n" || len(f.Sections) != 3 {
		t.Fatalf("parsed %+v", f)
	}
	if d, _ := f.Get("input"); d != "a\nb\n" {
		t.Errorf("input %q", d)
	}
	if d, ok := f.Get("empty"); !ok || d != "" {
		t.Errorf("empty section %q %v", d, ok)
	}
	if got := string(f.Format()); got != in {
		t.Errorf("format %q, want %q", got, in)
	}
	f.Set("want", "B\n")
	f.Set("new", "n")
	if got := string(f.Format()); got != "what it checks\n\n-- input --\na\nb\n-- want --\nB\n-- empty --\n-- new --\nn\n" {
		t.Errorf("after Set: %q", got)
	}
	if _, ok := marker("--  --\n"); ok {
		t.Error("a marker without a name")
	}
}

// Run with update rewrites the want section; without, an equal answer
// passes (a different one fails the subtest, as every scenario test shows).
func TestRunUpdates(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "case.txt")
	if err := os.WriteFile(p, []byte("c\n-- in --\nx\n-- want --\nold\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	Run(t, filepath.Join(dir, "*.txt"), true, func(t *testing.T, f *File) string { return f.Must(t, "in") + "y" })
	data, _ := os.ReadFile(p)
	if string(data) != "c\n-- in --\nx\n-- want --\nx\ny\n" {
		t.Fatalf("after update: %q", data)
	}
	ran := false
	Run(t, filepath.Join(dir, "*.txt"), false, func(t *testing.T, f *File) string { ran = true; return "x\ny" })
	if !ran {
		t.Error("the scenario did not run")
	}
}
