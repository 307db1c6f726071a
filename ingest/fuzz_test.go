package ingest

import (
	"io"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"riskgraph/ingest/keyindex"
	"riskgraph/models"
	"riskgraph/store"
)

// FuzzParseEnterpriseRow feeds one CSV line of enterprises.csv through the
// reader and the parser: no panic, and an accepted row is a valid model.
func FuzzParseEnterpriseRow(f *testing.F) {
	for _, s := range []string{
		"91440305MA5F000189,,深圳市华信科技有限公司,company,active,10000000,CNY,2016-03-01,,I65,广东省深圳市南山区科技路88号,0755-86012345,a@b.cn",
		",src:foreign:F1,Pacific Ltd,foreign,active,1e7,hkd,2008-01-01,,,香港,,",
		"９１４４０３０５ＭＡ５Ｆ０００１８９,,全角,,,,,,,,,,",
		`91440305MA5F000188,,"a,b",company,active,-1,CNY,2016/03/01,999999,Z9,x,+86 138 0000 0000,bad`,
	} {
		f.Add(s)
	}
	h := testHasher(f)
	header := strings.Join(FileEnterprises.ColumnNames(), ",")
	today := models.NewDate(fixedNow().Date())
	f.Fuzz(func(t *testing.T, line string) {
		p := newParser("fuzz", today, h, keyindex.New(personEntryWidth, 0, ""))
		rows, err := NewCSVRows(strings.NewReader(header + "\n" + line))
		if err != nil {
			t.Fatal(err)
		}
		pos, rej := mapColumns(FileEnterprises, rows.Columns())
		if rej != nil {
			t.Fatal(rej)
		}
		vals := make([]string, len(pos))
		for n := 0; ; n++ {
			if n > len(line)+2 {
				t.Fatalf("reader does not advance")
			}
			row, err := rows.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				continue
			}
			if len(row.Values) != len(pos) {
				continue
			}
			if ferr := canonicalValues(FileEnterprises, vals, pos, row.Values); ferr != nil {
				continue
			}
			e, ferr := p.enterprise(vals)
			if ferr != nil {
				if ferr.Field == "" || ferr.Reason == "" || ferr.Fix == "" {
					t.Fatalf("incomplete error %+v", ferr)
				}
				continue
			}
			if err := (&store.Batch{Enterprises: []models.Enterprise{e}}).Validate(); err != nil {
				t.Fatalf("accepted row fails the store's validation: %v", err)
			}
			switch {
			case e.USCC != "" && (!models.USCC(e.USCC).Valid() || e.Key != e.USCC):
				t.Fatalf("uscc %q key %q", e.USCC, e.Key)
			case e.USCC == "" && !strings.HasPrefix(e.Key, "src:"):
				t.Fatalf("key %q", e.Key)
			case e.Name == "" || !utf8.ValidString(e.Name+e.Address):
				t.Fatalf("name %q", e.Name)
			case e.Capital < 0 || math.IsNaN(e.Capital) || math.IsInf(e.Capital, 0):
				t.Fatalf("capital %v", e.Capital)
			case e.Established.After(today.Time):
				t.Fatalf("established %v", e.Established)
			case e.Region != "" && models.LookupRegion(e.Region).Level == models.RegionUnknown:
				t.Fatalf("region %q", e.Region)
			}
		}
	})
}

// FuzzParseField feeds one value to every field parser: no panic, results
// in range, and no identity number echoed in an error.
func FuzzParseField(f *testing.F) {
	for _, s := range []string{"0.25", "25%", "60", "1e-3", "0x1p-2", "NaN", "Inf", "1,000", "100万", "2024-02-29",
		"2023-02-29", "2024/03/05", "0755-8601 2345", "+86 13812345678", "440305198001010013", "44030519800101001x", ""} {
		f.Add(s)
	}
	today := models.NewDate(fixedNow().Date())
	p := newParser("fuzz", today, testHasher(f), keyindex.New(personEntryWidth, 0, ""))
	f.Fuzz(func(t *testing.T, s string) {
		if v, err := parseFraction("ratio", s); err == nil && !(v >= 0 && v <= 1) {
			t.Fatalf("fraction %q → %v", s, v)
		}
		if v, err := parseAmount("amount", s); err == nil && !(v >= 0 && !math.IsInf(v, 0)) {
			t.Fatalf("amount %q → %v", s, v)
		}
		if d, err := p.parseDate("since", s); err == nil && (d.After(today.Time) || !d.IsZero() && d.String() != s) {
			t.Fatalf("date %q → %v", s, d)
		}
		if d, err := normalisePhone(s); err == nil && d != "" && (len(d) < 7 || len(d) > 15 || !digits(d)) {
			t.Fatalf("phone %q → %q", s, d)
		}
		n, err := checkIDNumber(s, today)
		if err == nil {
			if c, err := models.IDNumberCheckChar(n[:min(len(n), 17)]); len(n) != 18 || err != nil || c != n[17] {
				t.Fatalf("identity number accepted with a bad check character")
			}
		} else if v := strings.TrimSpace(s); len(v) >= 8 && strings.Contains(err.Reason+err.Fix, v) {
			t.Fatalf("error repeats the identity number: %s", err.Reason)
		}
	})
}

// FuzzParseRelationRow feeds one CSV line of relations.csv through the
// reader and the parser: no panic, an accepted row passes the store's
// validation and is in canonical order, and a refused one says what to fix.
func FuzzParseRelationRow(f *testing.F) {
	for _, s := range []string{
		"P001,P002,spouse,2009-10-01",
		"P002,P001,Relative,",
		"P001,P001,other,",
		"440305198001010013,P9,friend,2031-01-01",
		`"P,1",P2,,x`,
	} {
		f.Add(s)
	}
	h := testHasher(f)
	header := strings.Join(FileRelations.ColumnNames(), ",")
	today := models.NewDate(fixedNow().Date())
	f.Fuzz(func(t *testing.T, line string) {
		p := newParser("fuzz", today, h, keyindex.New(personEntryWidth, 0, ""))
		rows, err := NewCSVRows(strings.NewReader(header + "\n" + line))
		if err != nil {
			t.Fatal(err)
		}
		pos, rej := mapColumns(FileRelations, rows.Columns())
		if rej != nil {
			t.Fatal(rej)
		}
		vals := make([]string, len(pos))
		for n := 0; ; n++ {
			if n > len(line)+2 {
				t.Fatalf("reader does not advance")
			}
			row, err := rows.Next()
			if err == io.EOF {
				return
			}
			if err != nil || len(row.Values) != len(pos) {
				continue
			}
			if ferr := canonicalValues(FileRelations, vals, pos, row.Values); ferr != nil {
				continue
			}
			r, ferr := p.relation(vals)
			if ferr != nil {
				if ferr.Field == "" || ferr.Reason == "" || ferr.Fix == "" {
					t.Fatalf("incomplete error %+v", ferr)
				}
				continue
			}
			if err := (&store.Batch{Relations: []models.Relation{r}}).Validate(); err != nil {
				t.Fatalf("accepted row fails the store's validation: %v", err)
			}
			if r.A >= r.B || r.Since.After(today.Time) {
				t.Fatalf("accepted %+v: not canonical or dated in the future", r)
			}
		}
	})
}
