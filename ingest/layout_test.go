package ingest

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"riskgraph/ingest/mapping"
	"riskgraph/ingest/reader"
)

func parseMapping(t *testing.T, y string) *mapping.File {
	t.Helper()
	m, err := mapping.Parse([]byte(y), false)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// enterpriseNames returns the stored enterprises' names by key.
func enterpriseNames(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, e := range scanAll(t, openMemory(t, dir)).Enterprises {
		out[e.Key] = e.Name
	}
	return out
}

const headerless = "91440305MA5F000189,深圳市华信科技有限公司,active\n91110105MA01A0037P,北京某某科技有限公司,revoked\n"

// A file without a header loads with --columns naming the positions: the
// first line is a row, not a header (before, it was taken for the header
// and the file refused).
func TestLoadNoHeaderColumns(t *testing.T) {
	dir := t.TempDir()
	s := openMemory(t, dir)
	opts := testOptions(t)
	opts.CSV = reader.CSVOptions{NoHeader: true, Names: []string{"uscc", "name", "status"}}
	sum, rejects, err := loadFiles(t, opts, s, map[string][]byte{"enterprises.csv": []byte(headerless)})
	if err != nil || len(rejects) > 0 || sum.Total.Accepted != 2 {
		t.Fatalf("err %v, rejects %v, summary %+v", err, rejects, sum.Total)
	}
	s.Close()
	names := enterpriseNames(t, dir)
	if names["91440305MA5F000189"] != "深圳市华信科技有限公司" || names["91110105MA01A0037P"] != "北京某某科技有限公司" {
		t.Errorf("stored %v", names)
	}
}

// A mapping reads a headerless file by position; the only table of the
// mapping is chosen without a header to match.
func TestLoadNoHeaderMapping(t *testing.T) {
	dir := t.TempDir()
	s := openMemory(t, dir)
	opts := testOptions(t)
	opts.Mapping = parseMapping(t, "tables:\n  - kind: enterprises\n    columns: {uscc: $1, name: $2, status: {from: $3, transform: status}}\n")
	opts.CSV.NoHeader = true
	sum, rejects, err := loadFiles(t, opts, s, map[string][]byte{"export.csv": []byte(headerless)})
	if err != nil || len(rejects) > 0 || sum.Total.Accepted != 2 {
		t.Fatalf("err %v, rejects %v, summary %+v", err, rejects, sum.Total)
	}
	s.Close()
	if n := enterpriseNames(t, dir); len(n) != 2 {
		t.Errorf("stored %v", n)
	}
}

// Bad headerless layouts refuse the file at line 1 naming the field and the fix.
func TestLoadNoHeaderBadPositions(t *testing.T) {
	opts := testOptions(t)
	opts.DryRun = true
	opts.Mapping = parseMapping(t, "tables:\n  - kind: enterprises\n    header: false\n    columns: {uscc: $1, name: $7}\n")
	sum, rejects, err := loadFiles(t, opts, nil, map[string][]byte{"export.csv": []byte(headerless)})
	if err != nil {
		t.Fatal(err)
	}
	if len(rejects) != 1 || rejects[0].Line != 1 || rejects[0].Field != "name" || !strings.HasSuffix(rejects[0].File, "export.csv") ||
		!strings.Contains(rejects[0].Reason, "$7 is past the 3 fields") || !strings.Contains(rejects[0].Fix, "between $1 and $3") {
		t.Fatalf("rejects %+v", rejects)
	}
	if sum.Total.Rejected != 2 || sum.RejectedInRefusedFiles != 2 || sum.Reported != 1 {
		t.Errorf("summary %+v reported %d in refused files %d", sum.Total, sum.Reported, sum.RejectedInRefusedFiles)
	}

	// --no-header with a mapping that names a column: the names cannot be found.
	opts.Mapping = parseMapping(t, "tables:\n  - kind: enterprises\n    columns: {uscc: $1, name: 企业名称}\n")
	opts.CSV.NoHeader = true
	_, rejects, err = loadFiles(t, opts, nil, map[string][]byte{"export.csv": []byte(headerless)})
	if err != nil || len(rejects) != 1 || rejects[0].Line != 1 || rejects[0].Field != "name" ||
		!strings.Contains(rejects[0].Reason, "no header line") || !strings.Contains(rejects[0].Fix, "$n") {
		t.Fatalf("err %v, rejects %+v", err, rejects)
	}

	bad := []LoadOptions{
		{CSV: reader.CSVOptions{NoHeader: true}},                                                 // nothing names the columns
		{CSV: reader.CSVOptions{Names: []string{"uscc", "name"}}},                                // names without --no-header
		{CSV: reader.CSVOptions{NoHeader: true, Names: []string{"$1", "name"}}},                  // a position as a name
		{CSV: reader.CSVOptions{NoHeader: true, Names: []string{"uscc"}}, Mapping: opts.Mapping}, // both
	}
	for i, o := range bad {
		o.Hasher, o.Source = testHasher(t), "test"
		if err := o.Validate(); err == nil {
			t.Errorf("case %d: accepted", i)
		}
	}
}

// A table's delimiter and quote win over detection: a semicolon file
// quoted with ' whose header line has more commas than semicolons.
func TestLoadTableDelimiterQuote(t *testing.T) {
	dir := t.TempDir()
	s := openMemory(t, dir)
	opts := testOptions(t)
	opts.Mapping = parseMapping(t, `tables:
  - kind: enterprises
    files: ["*.txt"]
    delimiter: ";"
    quote: "'"
    columns: {uscc: 代码, name: 名称}
`)
	in := "代码;名称;备注,其他,另,外\n91440305MA5F000189;'深圳市华信科技有限公司,华信;x';y\n"
	sum, rejects, err := loadFiles(t, opts, s, map[string][]byte{"export.txt": []byte(in)})
	if err != nil || len(rejects) > 0 || sum.Total.Accepted != 1 {
		t.Fatalf("err %v, rejects %v, summary %+v", err, rejects, sum.Total)
	}
	s.Close()
	if n := enterpriseNames(t, dir)["91440305MA5F000189"]; n != "深圳市华信科技有限公司,华信;x" {
		t.Errorf("name %q", n)
	}
}

// The officer titles of the title table are the canonical ones.
func TestTitleTableIsCanonical(t *testing.T) {
	if !slices.Equal(OfficerTitles, mapping.OfficerTitles) {
		t.Fatalf("ingest %v, mapping %v", OfficerTitles, mapping.OfficerTitles)
	}
	for w, title := range mapping.TitleWords {
		if !slices.Contains(OfficerTitles, title) {
			t.Errorf("%s → %s: not a canonical title", w, title)
		}
	}
}

// Free-text titles in an officers file (canonical columns, as a headerless
// export read with --columns gives) load as their canonical title, a
// compound one as its first part, keeping the text (Role.TitleText); the
// summary shows each text and title.
func TestLoadFreeTextTitles(t *testing.T) {
	dir := t.TempDir()
	s := openMemory(t, dir)
	opts := testOptions(t)
	files := map[string][]byte{
		"enterprises.csv": []byte("uscc,name\n91440305MA5F000189,深圳市华信科技有限公司\n"),
		"persons.csv":     []byte("person_id,name\nP1,张三\nP2,李四\nP3,王五\nP4,赵六\n"),
		"officers.csv": []byte("person_id,enterprise,title\nP1,91440305MA5F000189,执行董事兼总经理\nP2,91440305MA5F000189,监事会主席\n" +
			"P3,91440305MA5F000189,CEO\nP4,91440305MA5F000189,supervisor\nP4,91440305MA5F000189,顾问\n"),
	}
	sum, rejects, err := loadFiles(t, opts, s, files)
	if err != nil {
		t.Fatal(err)
	}
	if len(rejects) != 1 || rejects[0].Field != "title" || rejects[0].Value != "顾问" {
		t.Errorf("rejects %v", rejects)
	}
	want := []TitleText{{"执行董事兼总经理", "executive_director", 1}, {"监事会主席", "chief_supervisor", 1}, {"CEO", "general_manager", 1}}
	if !slices.Equal(sum.Titles, want) {
		t.Errorf("summary titles %v, want %v", sum.Titles, want)
	}
	s.Close()
	got := map[string]string{}
	for _, r := range scanAll(t, openMemory(t, dir)).Roles {
		got[r.Person] = r.Title + "|" + r.TitleText
	}
	titles := slices.Sorted(maps.Values(got))
	// The source text is kept where it is not the canonical title itself.
	if !slices.Equal(titles, []string{"chief_supervisor|监事会主席", "executive_director|执行董事兼总经理", "general_manager|CEO", "supervisor|"}) {
		t.Errorf("stored title|text %v", titles)
	}
}

// Through a mapping's title transform the row reaches the loader with the
// canonical title; the appointment still keeps the source's text.
func TestLoadMappedTitleText(t *testing.T) {
	dir := t.TempDir()
	s := openMemory(t, dir)
	opts := testOptions(t)
	opts.Mapping = parseMapping(t, "tables:\n  - kind: officers\n    columns: {person_id: $1, enterprise: $2, title: {from: $3, transform: title}}\n")
	opts.CSV.NoHeader = true
	rows := "P1,91440305MA5F000189,执行董事兼总经理\nP2,91440305MA5F000189,监事\nP3,91440305MA5F000189,director\n"
	sum, rejects, err := loadFiles(t, opts, s, map[string][]byte{"officers-export.csv": []byte(rows)})
	if err != nil || len(rejects) > 0 || sum.Total.Accepted != 3 {
		t.Fatalf("err %v, rejects %v, summary %+v", err, rejects, sum.Total)
	}
	s.Close()
	var got []string
	for _, r := range scanAll(t, openMemory(t, dir)).Roles {
		got = append(got, r.Title+"|"+r.TitleText)
	}
	slices.Sort(got)
	if want := []string{"director|", "executive_director|执行董事兼总经理", "supervisor|监事"}; !slices.Equal(got, want) {
		t.Errorf("stored title|text %v, want %v", got, want)
	}
}
