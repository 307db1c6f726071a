package mapping

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	"riskgraph/ingest/reader"
	"riskgraph/scenario"
)

var update = flag.Bool("update", false, "rewrite the want sections of the testdata scenarios")

// TestApplyScenarios maps the CSV of each testdata/apply/*.txt file through
// a mapping (section "mapping-file": a shipped mapping's path; or
// "mapping.yaml": one written in the case), read with the table's reader
// settings (header, delimiter, quote), and prints the columns, each
// row's converted values and each refused row's line, field, value, reason
// and fix. A new case is a new file; `go test -run ApplyScenarios -update`
// writes its want section for review.
func TestApplyScenarios(t *testing.T) {
	scenario.Run(t, "testdata/apply/*.txt", *update, func(t *testing.T, f *scenario.File) string {
		var file *File
		var err error
		if path, ok := f.Get("mapping-file"); ok {
			file, err = Load(strings.TrimSpace(path))
		} else {
			file, err = Parse([]byte(f.Must(t, "mapping.yaml")), false)
		}
		if err != nil {
			return "mapping: " + err.Error()
		}
		table := 0
		if s, ok := f.Get("table"); ok {
			if table, err = strconv.Atoi(strings.TrimSpace(s)); err != nil || table >= len(file.Tables) {
				t.Fatalf("table %q", s)
			}
		}
		tbl := file.Tables[table]
		src, err := reader.NewCSV(strings.NewReader(f.Must(t, "input.csv")), tbl.CSV(reader.CSVOptions{}))
		if err != nil {
			return "read: " + err.Error()
		}
		apply := Apply
		if !tbl.HasHeader() {
			apply = ApplyNoHeader
		}
		m, err := apply(tbl, src)
		if err != nil {
			return "apply: " + err.Error()
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%s columns: %s\n", file.Tables[table].Kind, strings.Join(m.Columns(), " "))
		for {
			row, err := m.Next()
			if err == io.EOF {
				break
			}
			var re *reader.RowError
			if errors.As(err, &re) {
				fmt.Fprintf(&b, "line %d refused: field %q value %q: %v (fix: %s)\n", re.Line, re.Field, re.Value, re.Err, re.Fix)
				continue
			}
			if err != nil {
				fmt.Fprintf(&b, "error: %v\n", err)
				break
			}
			fmt.Fprintf(&b, "line %d:", row.Line)
			for i, c := range m.Columns() {
				fmt.Fprintf(&b, " %s=%s", c, row.Values[i])
			}
			b.WriteString("\n")
		}
		return b.String()
	})
}

// TestTransformScenarios runs each line "transform input" of the cases
// section of testdata/transforms/*.txt through the named transform (money
// takes its column unit after a colon, money:万元; a vocabulary is vocab:name)
// and prints the value, or the refusal with its fix.
func TestTransformScenarios(t *testing.T) {
	scenario.Run(t, "testdata/transforms/*.txt", *update, func(t *testing.T, f *scenario.File) string {
		var b strings.Builder
		for _, line := range strings.Split(strings.TrimSpace(f.Must(t, "cases")), "\n") {
			name, in, _ := strings.Cut(line, " ")
			fn := transformNamed(t, name)
			got, err := fn(in)
			if err != nil {
				var ve *ValueError
				if !errors.As(err, &ve) || ve.Fix == "" {
					t.Errorf("%s %q: a refusal without a fix: %v", name, in, err)
				}
				fmt.Fprintf(&b, "%s %s -> refused: %v (fix: %s)\n", name, in, err, ve.Fix)
				continue
			}
			fmt.Fprintf(&b, "%s %s -> %s\n", name, in, got)
		}
		return b.String()
	})
}

func transformNamed(t *testing.T, name string) func(string) (string, error) {
	kind, arg, _ := strings.Cut(name, ":")
	switch kind {
	case "percent":
		return Percent
	case "fraction":
		return Fraction
	case "money":
		return func(s string) (string, error) { return Money(s, arg) }
	case "currency":
		return Currency
	case "date":
		return Date
	case "vocab":
		if v := vocabularies[arg]; v != nil {
			return v.apply
		}
	}
	t.Fatalf("unknown transform %q", name)
	return nil
}
