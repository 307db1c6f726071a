package ingest

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Column mapping: an input's header is matched to the canonical columns of
// its kind (by name, in any order, extra columns ignored), and each row's
// values are put in canonical order, trimmed, for the parser. Foreign
// layouts are first renamed to canonical fields by package mapping.

// mapColumns returns, for each column of kind (canonical, then the
// companions of matching at ingest), its position in the source columns
// (-1 when absent), or a reject for a bad header. A required reference
// column may be absent when its <field>_name companion is there (the
// enterprise is named for the matcher).
func mapColumns(kind FileKind, columns []string) ([]int, *Reject) {
	canon := fieldColumns(kind)
	pos := make([]int, len(canon))
	for i := range pos {
		pos[i] = -1
	}
	if len(columns) == 0 {
		return pos, &Reject{Line: 1, Reason: "the file is empty", Fix: "the first line must be the header: " + strings.Join(kind.ColumnNames(), ",")}
	}
	seen := map[string]int{}
	for j, c := range columns {
		name := strings.ToLower(strings.TrimFunc(c, isTrimmed))
		if prev, dup := seen[name]; dup {
			return pos, &Reject{Line: 1, Field: name, Reason: fmt.Sprintf("the column appears twice (columns %d and %d)", prev+1, j+1), Fix: "remove one of them"}
		}
		seen[name] = j
		for i, cc := range canon {
			if cc.Name == name {
				pos[i] = j
			}
		}
	}
	var missing []string
	for i, cc := range canon {
		if _, named := seen[cc.Name+"_name"]; cc.Required && pos[i] < 0 && !(named && isRefField(kind, cc.Name)) {
			missing = append(missing, cc.Name)
		}
	}
	if kind == FileEnterprises && pos[entUSCC] < 0 && pos[entID] < 0 {
		missing = append(missing, "uscc or id")
	}
	if len(missing) > 0 {
		return pos, &Reject{Line: 1, Field: missing[0],
			Reason: fmt.Sprintf("required column %s missing; no row of the file was loaded", plural(len(missing), strings.Join(missing, ", "))),
			Fix:    fmt.Sprintf("add the column to the header (the %s columns are %s), or map it with --mapping", kind, strings.Join(kind.ColumnNames(), ","))}
	}
	return pos, nil
}

func plural(n int, names string) string {
	if n == 1 {
		return names + " is"
	}
	return names + " are"
}

func isTrimmed(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' || r == '\u200B' }

// canonicalValues fills vals (canonical order) from the source values,
// trimmed, and checks that they are valid UTF-8.
func canonicalValues(kind FileKind, vals []string, pos []int, src []string) *fieldError {
	for i, p := range pos {
		if p < 0 {
			vals[i] = ""
			continue
		}
		v := src[p]
		if !utf8.ValidString(v) {
			return &fieldError{Field: fieldColumns(kind)[i].Name, Value: strings.ToValidUTF8(v, "?"), Reason: "is not valid UTF-8",
				Fix: "the file is in another encoding: leave --encoding at auto, or give --encoding gb18030 (GBK) for files saved by Chinese Excel"}
		}
		vals[i] = strings.TrimFunc(v, isTrimmed)
	}
	return nil
}

// valueOf returns the value of the named canonical column.
func valueOf(kind FileKind, vals []string, field string) string {
	for i, c := range fieldColumns(kind) {
		if c.Name == field {
			return vals[i]
		}
	}
	return ""
}
