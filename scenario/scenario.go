// Package scenario reads the scenario files of data-driven tests: a case is
// a file under testdata/, not new Go. A file is a comment (what the case
// is about) followed by named sections, in the txtar layout:
//
//	The first lines say what the case checks.
//	-- input.csv --
//	…
//	-- want --
//	…
//
// A test reads the input sections, computes its answer as text, and Run
// compares it with the "want" section; with -update (the caller's flag)
// Run rewrites "want" instead, so a changed behaviour is reviewed as a
// diff of testdata.
package scenario

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// File is one scenario file.
type File struct {
	Path     string
	Comment  string
	Sections []Section
}

// Section is a named part of a file.
type Section struct {
	Name, Data string
}

// Parse splits data into its comment and sections. A line "-- name --"
// starts a section; its data runs to the next such line.
func Parse(path string, data []byte) *File {
	f := &File{Path: path}
	var cur *Section
	var b strings.Builder
	flush := func() {
		if cur == nil {
			f.Comment = b.String()
		} else {
			cur.Data = b.String()
			f.Sections = append(f.Sections, *cur)
		}
		b.Reset()
	}
	for _, line := range strings.SplitAfter(string(data), "\n") {
		if name, ok := marker(line); ok {
			flush()
			cur = &Section{Name: name}
			continue
		}
		b.WriteString(line)
	}
	flush()
	return f
}

func marker(line string) (string, bool) {
	l := strings.TrimRight(line, "\r\n")
	if !strings.HasPrefix(l, "-- ") || !strings.HasSuffix(l, " --") || len(l) < 7 {
		return "", false
	}
	return strings.TrimSpace(l[3 : len(l)-3]), true
}

// Get returns the data of the named section.
func (f *File) Get(name string) (string, bool) {
	for _, s := range f.Sections {
		if s.Name == name {
			return s.Data, true
		}
	}
	return "", false
}

// Must returns the named section or fails the test.
func (f *File) Must(t testing.TB, name string) string {
	t.Helper()
	d, ok := f.Get(name)
	if !ok {
		t.Fatalf("%s: no section %q", f.Path, name)
	}
	return d
}

// Set replaces (or appends) the named section.
func (f *File) Set(name, data string) {
	for i := range f.Sections {
		if f.Sections[i].Name == name {
			f.Sections[i].Data = data
			return
		}
	}
	f.Sections = append(f.Sections, Section{Name: name, Data: data})
}

// Format renders f in the layout Parse reads.
func (f *File) Format() []byte {
	var b bytes.Buffer
	b.WriteString(f.Comment)
	for _, s := range f.Sections {
		b.WriteString("-- " + s.Name + " --\n")
		b.WriteString(s.Data)
		if s.Data != "" && !strings.HasSuffix(s.Data, "\n") {
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

// Run runs fn as a subtest for every file matching glob (at least one
// must) and compares what it returns with the file's "want" section; with
// update it writes the answer there instead.
func Run(t *testing.T, glob string, update bool, fn func(t *testing.T, f *File) string) {
	t.Helper()
	paths, err := filepath.Glob(glob)
	if err != nil || len(paths) == 0 {
		t.Fatalf("no scenario files match %s (%v)", glob, err)
	}
	for _, p := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(p), filepath.Ext(p)), func(t *testing.T) {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			f := Parse(p, data)
			got := fn(t, f)
			if !strings.HasSuffix(got, "\n") && got != "" {
				got += "\n"
			}
			if update {
				f.Set("want", got)
				if err := os.WriteFile(p, f.Format(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, ok := f.Get("want")
			if !ok {
				t.Fatalf("%s has no want section; run the test with -update to write it, then review it", p)
			}
			if got != want {
				t.Errorf("%s:\n--- got\n%s--- want\n%s", p, got, want)
			}
		})
	}
}
