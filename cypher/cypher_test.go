package cypher

import (
	"regexp"
	"strings"
	"testing"
)

func TestStatements(t *testing.T) {
	names := Names()
	if len(names) == 0 {
		t.Fatal("no statements embedded")
	}
	valid := regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	for _, n := range names {
		if !valid.MatchString(n) {
			t.Errorf("statement name %q: use lower_snake_case file names", n)
		}
		q := MustGet(n)
		if q == "" {
			t.Errorf("statement %q is empty", n)
		}
		// One statement per file: a trailing or inner semicolon would make
		// the server reject the text or run only part of it.
		if strings.Contains(stripComments(q), ";") {
			t.Errorf("statement %q contains ';': keep one statement per file", n)
		}
	}
}

func TestGetUnknown(t *testing.T) {
	if _, err := Get("no_such_statement"); err == nil {
		t.Error("Get of an unknown name must fail")
	}
	defer func() {
		if recover() == nil {
			t.Error("MustGet of an unknown name must panic")
		}
	}()
	MustGet("no_such_statement")
}

func stripComments(q string) string {
	var b strings.Builder
	for line := range strings.Lines(q) {
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		b.WriteString(line)
	}
	return b.String()
}
