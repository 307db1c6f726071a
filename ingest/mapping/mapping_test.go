package mapping

import (
	"path/filepath"
	"strings"
	"testing"

	"riskgraph/ingest/reader"
)

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ in, err string }{
		{"tables: []", "no tables"},
		{"tables: [{kind: enterprises}]", "no columns"},
		{"tables: [{kind: enterprises, columns: {name: {transform: date}}}]", "give the source column"},
		{"tables: [{kind: enterprises, columns: {name: {from: a, const: b}}}]", "not both"},
		{"tables: [{kind: enterprises, columns: {name: {from: a, transform: dollars}}}]", "unknown transform"},
		{"tables: [{kind: enterprises, columns: {name: {from: a, tranform: date}}}]", `unknown key "tranform"`},
		{"tables: [{kind: enterprises, columns: {name: {from: a, transform: map}}}]", "needs a values: list"},
		{"tables: [{kind: enterprises, columns: {capital: {from: a, transform: money, unit: 美元}}}]", "unit"},
		{"tables: [{kind: enterprises, colums: {}}]", "colums"},
	} {
		if _, err := Parse([]byte(tc.in), false); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: %v, want %q", tc.in, err, tc.err)
		}
	}
	if _, err := Parse([]byte(`{"tables":[{"kind":"persons","columns":{"name":"姓名","person_id":{"from":["编号","ID"]}}}]}`), true); err != nil {
		t.Errorf("json: %v", err)
	}
	if _, err := Parse([]byte(`{"tables":[{"kind":"persons","columns":{"name":{"form":"x"}}}]}`), true); err == nil {
		t.Error("json with an unknown key accepted")
	}
}

func TestShippedMappings(t *testing.T) {
	paths, _ := filepath.Glob("../../mappings/*.yaml")
	if len(paths) < 4 {
		t.Fatalf("shipped mappings: %v", paths)
	}
	for _, p := range paths {
		if _, err := Load(p); err != nil {
			t.Errorf("%v", err)
		}
	}
}

// TestApply checks what the scenarios (testdata/apply) do not print: the
// source column and raw value behind a field, and the pid transform of the
// persons' table.
func TestApply(t *testing.T) {
	f, err := Load("../../mappings/samr-registration.yaml")
	if err != nil {
		t.Fatal(err)
	}
	in := "统一社会信用代码,企业名称,注册资本（万元）\n91440305MA5F000189,深圳市华信科技有限公司,100\n"
	src, err := reader.NewCSV(strings.NewReader(in), reader.CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := Apply(f.Tables[0], src)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Next(); err != nil {
		t.Fatal(err)
	}
	if col, raw := m.Source("capital"); col != "注册资本（万元）" || raw != "100" {
		t.Errorf("source of capital: %q %q", col, raw)
	}
	if got := f.Tables[1].Columns["person_id"].Transform; got != "pid" {
		t.Errorf("persons person_id transform %q", got)
	}
}
