package mapping

import (
	"errors"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"riskgraph/ingest/reader"
)

func TestTransforms(t *testing.T) {
	for _, tc := range []struct {
		name, in, want, err string
		fn                  func(string) (string, error)
	}{
		{"percent", "35.5%", "0.355", "", Percent},
		{"percent points", "35.5", "0.355", "", Percent},
		{"percent full-width", "３５．５％", "0.355", "", Percent},
		{"percent 120", "120%", "1.2", "", Percent},
		{"percent junk", "三成", "", "is not a percentage", Percent},
		{"fraction decimal", "0.25", "0.25", "", Fraction},
		{"fraction percent", "25%", "0.25", "", Fraction},
		{"fraction ratio", "1/3", "0.333333333333", "", Fraction},
		{"fraction by zero", "1/0", "", "is not a fraction", Fraction},
		{"money wan yuan", "100万元", "1000000", "", func(s string) (string, error) { return Money(s, "") }},
		{"money yi", "1.5亿", "150000000", "", func(s string) (string, error) { return Money(s, "") }},
		{"money separators", "1,234.5元", "1234.5", "", func(s string) (string, error) { return Money(s, "") }},
		{"money renminbi", "50万元人民币", "500000", "", func(s string) (string, error) { return Money(s, "") }},
		{"money bare in wan", "50", "500000", "", func(s string) (string, error) { return Money(s, "万元") }},
		{"money explicit unit beats column unit", "50元", "50", "", func(s string) (string, error) { return Money(s, "万元") }},
		{"money negative stays negative", "-5万元", "-50000", "", func(s string) (string, error) { return Money(s, "") }},
		{"money junk", "若干", "", "is not an amount", func(s string) (string, error) { return Money(s, "") }},
		{"currency usd", "50万美元", "USD", "", Currency},
		{"currency iso", "hkd", "HKD", "", Currency},
		{"date chinese", "2019年3月5日", "2019-03-05", "", Date},
		{"date slashes", "2019/3/5", "2019-03-05", "", Date},
		{"date compact", "20190305", "2019-03-05", "", Date},
		{"date dots with time", "2019.03.05 00:00:00", "2019-03-05", "", Date},
		{"date iso with zone", "2019-03-05T08:00:00+08:00", "2019-03-05", "", Date},
		{"date feb 30", "2019年2月30日", "", "is not a calendar date", Date},
		{"date junk", "三月五日", "", "is not a date", Date},
		{"status active", "存续（在营、开业、在册）", "active", "", vocabularies["status"].apply},
		{"status revoked not cancelled", "吊销，未注销", "revoked", "", vocabularies["status"].apply},
		{"status cancelled", "注销", "cancelled", "", vocabularies["status"].apply},
		{"status moved out", "迁出", "moved_out", "", vocabularies["status"].apply},
		{"status english", "Active", "active", "", vocabularies["status"].apply},
		{"status unknown word", "冻结", "", "is not a known value", vocabularies["status"].apply},
		{"title", "董事长", "chairman", "", vocabularies["title"].apply},
		{"kind", "有限责任公司(自然人投资或控股)", "company", "", vocabularies["enterprise_kind"].apply},
		{"record kind", "严重违法失信企业名单", "serious_violation", "", vocabularies["record_kind"].apply},
		{"holder kind", "自然人股东", "person", "", vocabularies["holder_kind"].apply},
	} {
		got, err := tc.fn(tc.in)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: %q → %q, %v; want error %q", tc.name, tc.in, got, err, tc.err)
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("%s: %q → %q, %v; want %q", tc.name, tc.in, got, err, tc.want)
		}
		var ve *ValueError
		if err != nil && (!errors.As(err, &ve) || ve.Fix == "") {
			t.Errorf("%s: error without a fix: %v", tc.name, err)
		}
	}
}

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

func TestApply(t *testing.T) {
	f, err := Load("../../mappings/samr-registration.yaml")
	if err != nil {
		t.Fatal(err)
	}
	in := "统一社会信用代码,企业名称,企业类型,登记状态,法定代表人,法定代表人证件号码,注册资本（万元）,成立日期\n" +
		"91440305ma5f000189,深圳市华信科技有限公司,有限责任公司,存续,张伟,440305198001010013,100,2016年3月1日\n" +
		"91440305MA5F000264,深圳市华信投资控股有限公司,股份有限公司,冻结,李娜,110105197512310024,50,2016/5/20\n" +
		"91440305MA5F000264,短行\n"
	src, err := reader.NewCSV(strings.NewReader(in), reader.CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ent := f.Tables[0]
	if ent.Kind != "enterprises" || ent.Matched(src.Columns()) != 6 {
		t.Fatalf("table %s matched %d", ent.Kind, ent.Matched(src.Columns()))
	}
	m, err := Apply(ent, src)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"capital", "established", "kind", "name", "status", "uscc"}; !reflect.DeepEqual(m.Columns(), want) {
		t.Fatalf("columns %q, want %q", m.Columns(), want)
	}
	row, err := m.Next()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"1000000", "2016-03-01", "company", "深圳市华信科技有限公司", "active", "91440305MA5F000189"}; !reflect.DeepEqual(row.Values, want) {
		t.Errorf("row %q, want %q", row.Values, want)
	}
	if col, raw := m.Source("capital"); col != "注册资本（万元）" || raw != "100" {
		t.Errorf("source of capital: %q %q", col, raw)
	}
	_, err = m.Next()
	var re *reader.RowError
	if !errors.As(err, &re) || re.Line != 3 || re.Field != "登记状态 (status)" || re.Value != "冻结" || re.Fix == "" {
		t.Errorf("unknown status: %#v", err)
	}
	_, err = m.Next()
	if !errors.As(err, &re) || re.Line != 4 || !strings.Contains(re.Error(), "has 2 fields, the header has 8") {
		t.Errorf("ragged row: %v", err)
	}
	if _, err := m.Next(); err != io.EOF {
		t.Errorf("end: %v", err)
	}

	// A header without the mapped name column.
	src, _ = reader.NewCSV(strings.NewReader("统一社会信用代码,名字\n"), reader.CSVOptions{})
	_, err = Apply(ent, src)
	var me *MissingError
	if !errors.As(err, &me) || !strings.Contains(err.Error(), "企业名称 or 名称 or 市场主体名称 (name)") {
		t.Errorf("missing column: %v", err)
	}
	if got := f.Tables[1].Columns["person_id"].Transform; got != "pid" {
		t.Errorf("persons person_id transform %q", got)
	}
}
