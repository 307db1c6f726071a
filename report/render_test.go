package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"
)

// TestFormats renders a planted report in every format: CSV sections with
// a BOM and one row per item, a self-contained HTML page, and identical
// bytes when rendered twice.
func TestFormats(t *testing.T) {
	f := newFixture(t, 1200)
	before := f.snap
	pl := f.plant(t)
	f.score(t)
	d, err := Build(context.Background(), f.input(before))
	if err != nil {
		t.Fatal(err)
	}
	lens := map[string]int{"entered_cd": len(d.EnteredCD), "grade_changes": len(d.GradeChanges), "new_flags": len(d.NewFlags),
		"top_risers": len(d.TopRisers), "new_records": len(d.NewRecords), "restricted_appointments": len(d.RestrictedAppointments),
		"watched": len(d.Watched), "by_region": len(d.ByRegion), "by_industry": len(d.ByIndustry), "grades": 4}
	for _, sec := range Sections {
		b, err := RenderCSV(d, sec)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) {
			t.Errorf("%s: no UTF-8 BOM", sec)
		}
		rows, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", sec, err)
		}
		if len(rows) != lens[sec]+1 {
			t.Errorf("%s: %d rows, want header + %d", sec, len(rows), lens[sec])
		}
		again, _ := RenderCSV(d, sec)
		if !bytes.Equal(b, again) {
			t.Errorf("%s: two renderings differ", sec)
		}
	}
	if _, err := RenderCSV(d, "nope"); err == nil {
		t.Error("unknown section accepted")
	}
	h, err := RenderHTML(d)
	if err != nil {
		t.Fatal(err)
	}
	page := string(h)
	for _, bad := range []string{"<script", "src=", "href=", "url(", "@import", "<link"} {
		if strings.Contains(page, bad) {
			t.Errorf("HTML contains %q: it must be self-contained", bad)
		}
	}
	for _, want := range []string{"<svg", "Grade distribution", "Largest score rises", "Changes by region", pl.serious, pl.black, d.TopRisers[0].Name} {
		if !strings.Contains(page, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if h2, _ := RenderHTML(d); !bytes.Equal(h, h2) {
		t.Error("two HTML renderings differ")
	}
}

func TestDefuse(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "+86 755": "'+86 755", "@x": "'@x", "-0.5": "-0.5", "-x": "'-x", "深圳": "深圳", "": ""} {
		if got := defuse(in); got != want {
			t.Errorf("defuse(%q) = %q, want %q", in, got, want)
		}
	}
}
