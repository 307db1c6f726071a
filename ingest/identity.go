package ingest

import (
	"errors"
	"strings"

	"riskgraph/models"
)

// pidPrefix marks a value that is already a pid: the identity stage writes
// it in place of an identity number, and person references may use it
// ("pid:<32 hex>").
const pidPrefix = "pid:"

// identityRows hashes identity numbers into pids as rows are read, so that
// no later stage (parser, batch, store, rejects, logs) sees a raw number.
// An invalid number refuses the row with the number masked.
type identityRows struct {
	src    Rows
	cols   []int // columns holding identity numbers
	cond   []int // for each, a column that must say "person" (-1: always)
	names  []string
	hasher *models.PIDHasher
	today  models.Date
	label  func(string) string
}

// personKindColumn names, per kind and field, the column that says whether
// the field refers to a person.
var personKindColumn = map[FileKind]map[string]string{
	FileShareholdings: {"holder": "holder_kind"},
	FileRecords:       {"subject": "subject_kind"},
}

// withIdentity wraps rows of kind so that the persons file's id_number and
// the given fields (identity numbers by mapping) become pids.
func withIdentity(rows Rows, kind FileKind, fields []string, h *models.PIDHasher, today models.Date, label func(string) string) Rows {
	cols := rows.Columns()
	idx := func(name string) int {
		for i, c := range cols {
			if strings.EqualFold(strings.TrimFunc(c, isTrimmed), name) {
				return i
			}
		}
		return -1
	}
	ir := &identityRows{src: rows, hasher: h, today: today, label: label}
	add := func(field string) {
		i := idx(field)
		if i < 0 {
			return
		}
		for _, c := range ir.cols {
			if c == i {
				return
			}
		}
		cond := -1
		if k, ok := personKindColumn[kind][field]; ok {
			cond = idx(k)
		}
		ir.cols, ir.cond, ir.names = append(ir.cols, i), append(ir.cond, cond), append(ir.names, field)
	}
	if kind == FilePersons {
		add("id_number")
	}
	for _, f := range fields {
		add(f)
	}
	if len(ir.cols) == 0 {
		return rows
	}
	return ir
}

func (r *identityRows) Columns() []string { return r.src.Columns() }

func (r *identityRows) Next() (Row, error) {
	row, err := r.src.Next()
	if err != nil {
		var re *RowError
		if errors.As(err, &re) && re.Value != "" && looksLikeIDNumber(re.Value) {
			re.Value = maskIDNumber(re.Value)
		}
		return row, err
	}
	for k, i := range r.cols {
		if i >= len(row.Values) {
			continue
		}
		v := strings.TrimFunc(row.Values[i], isTrimmed)
		if v == "" || strings.HasPrefix(v, pidPrefix) {
			continue
		}
		if c := r.cond[k]; c >= 0 && c < len(row.Values) && !strings.EqualFold(strings.TrimSpace(row.Values[c]), string(models.KindPerson)) {
			continue
		}
		n, ferr := checkIDNumber(v, r.today)
		if ferr != nil {
			return Row{}, &RowError{Line: row.Line, Field: r.label(r.names[k]), Value: maskIDNumber(v),
				Err: errors.New(ferr.Reason), Fix: ferr.Fix}
		}
		row.Values[i] = pidPrefix + r.hasher.FromIDNumber(n)
	}
	return row, nil
}

// isPID reports whether s is "pid:" followed by 32 lower-case hex digits,
// and returns the pid.
func isPID(s string) (string, bool) {
	p, ok := strings.CutPrefix(s, pidPrefix)
	if !ok || len(p) != 32 || strings.Trim(p, "0123456789abcdef") != "" {
		return "", false
	}
	return p, true
}
