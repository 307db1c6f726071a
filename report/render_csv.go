package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Sections lists the CSV sections in order.
var Sections = []string{"entered_cd", "grade_changes", "new_flags", "top_risers", "new_records",
	"restricted_appointments", "watched", "by_region", "by_industry", "grades"}

// bom makes spreadsheet programs read the file as UTF-8.
const bom = "\ufeff"

func num(f float64) string { return strconv.FormatFloat(f, 'f', 6, 64) }

// RenderCSV renders one section as CSV: UTF-8 with a byte-order mark,
// CRLF line ends, a header row.
func RenderCSV(d *Document, section string) ([]byte, error) {
	var rows [][]string
	subj := []string{"ref", "name", "region", "region_name", "industry"}
	s := func(x Subject) []string { return []string{x.Ref, x.Name, x.Region, x.RegionName, x.Industry} }
	moved := func(m *Moved) []string {
		if m == nil {
			return []string{"", "", "", "", ""}
		}
		return []string{m.Record, m.Kind, m.Subject, num(m.Amount), num(m.Change)}
	}
	grade := func(h []string, gs []GradeChange) {
		rows = append(rows, append(slices.Clone(subj), append(h, "moved_by_record", "moved_by_kind", "moved_by_subject", "moved_by_amount", "moved_by_change")...))
		for _, g := range gs {
			rows = append(rows, append(append(s(g.Subject), g.Before, g.After, num(g.ScoreBefore), num(g.ScoreAfter), num(g.Delta)), moved(g.MovedBy)...))
		}
	}
	flags := func(fs []NewFlag) {
		rows = append(rows, append(slices.Clone(subj), "flag", "value", "count", "threshold", "evidence", "records"))
		for _, f := range fs {
			ev := []string{"", "", "", "", ""}
			if e := f.Evidence; e != nil {
				ev = []string{e.Value, strconv.Itoa(e.Count), strconv.Itoa(e.Threshold), strings.Join(e.Evidence, " "), strings.Join(e.Records, " ")}
			}
			rows = append(rows, append(append(s(f.Subject), f.Flag), ev...))
		}
	}
	areas := func(as []AreaCount) {
		rows = append(rows, []string{"code", "name", "entered_cd", "worsened", "improved", "new_flags", "new_records"})
		for _, a := range as {
			rows = append(rows, []string{a.Code, a.Name, strconv.Itoa(a.EnteredCD), strconv.Itoa(a.Worsened), strconv.Itoa(a.Improved),
				strconv.Itoa(a.NewFlags), strconv.Itoa(a.NewRecords)})
		}
	}
	switch section {
	case "entered_cd":
		grade([]string{"grade_before", "grade_after", "score_before", "score_after", "delta"}, d.EnteredCD)
	case "grade_changes":
		grade([]string{"grade_before", "grade_after", "score_before", "score_after", "delta"}, d.GradeChanges)
	case "new_flags":
		flags(d.NewFlags)
	case "restricted_appointments":
		flags(d.RestrictedAppointments)
	case "top_risers":
		rows = append(rows, append(slices.Clone(subj), "score_before", "score_after", "delta", "grade_before", "grade_after"))
		for _, r := range d.TopRisers {
			rows = append(rows, append(s(r.Subject), num(r.Before), num(r.After), num(r.Delta), r.GradeBefore, r.GradeAfter))
		}
	case "new_records":
		rows = append(rows, []string{"record", "kind", "decided", "subject", "subject_name", "region", "region_name", "hops", "exposure", "exposed"})
		for _, r := range d.NewRecords {
			rows = append(rows, []string{r.ID, r.Kind, r.Decided, r.Subject.Ref, r.Subject.Name, r.Subject.Region, r.Subject.RegionName,
				strconv.Itoa(r.Hops), strconv.Itoa(r.Exposure), strings.Join(r.Exposed, " ")})
		}
	case "watched":
		rows = append(rows, append(slices.Clone(subj), "watchlists", "grade_before", "grade_after", "score_before", "score_after",
			"flags_added", "flags_removed", "new_records", "missing"))
		for _, w := range d.Watched {
			rows = append(rows, append(s(w.Subject), strings.Join(w.Watchlists, " "), w.Before, w.After, num(w.ScoreBefore), num(w.ScoreAfter),
				strings.Join(w.FlagsAdded, " "), strings.Join(w.FlagsGone, " "), strings.Join(w.NewRecords, " "), strconv.FormatBool(w.Missing)))
		}
	case "by_region":
		areas(d.ByRegion)
	case "by_industry":
		areas(d.ByIndustry)
	case "grades":
		rows = append(rows, []string{"grade", "before", "after"})
		for _, g := range d.Grades {
			rows = append(rows, []string{g.Grade, strconv.Itoa(g.Before), strconv.Itoa(g.After)})
		}
	default:
		return nil, fmt.Errorf("unknown section %q: use one of %s", section, strings.Join(Sections, ", "))
	}
	var b bytes.Buffer
	b.WriteString(bom)
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	for _, r := range rows {
		for i, c := range r {
			r[i] = defuse(c)
		}
	}
	if err := w.WriteAll(rows); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// defuse keeps spreadsheet programs from reading a cell as a formula
// (CSV injection): names come from registration data.
func defuse(c string) string {
	if c != "" && strings.ContainsRune("=+@\t\r", rune(c[0])) {
		return "'" + c
	}
	if c != "" && c[0] == '-' {
		if _, err := strconv.ParseFloat(c, 64); err != nil {
			return "'" + c
		}
	}
	return c
}
