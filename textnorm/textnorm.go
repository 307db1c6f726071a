// Package textnorm is the one place where riskgraph folds the ways Chinese
// registration text is typed: full-width ASCII (ＡＢＣ１２３，（） from an
// input method) to ASCII, the ideographic space U+3000 to a space, the
// invisible characters copy-and-paste leaves (byte-order mark, zero-width
// space) trimmed, runs of white space collapsed. Codes, names, addresses
// and phone numbers are parsed from these forms (models, ingest) and
// compared by them (engine, matching). Stdlib only: models imports it.
package textnorm

import (
	"strings"
	"unicode"
)

// Fold maps a full-width ASCII form (U+FF01–U+FF5E) to its ASCII
// character and the ideographic space (U+3000) to a space; any other rune
// is returned as it is.
func Fold(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		return r - 0xFEE0
	case r == '\u3000':
		return ' '
	}
	return r
}

// FoldString applies Fold to every rune of s; it returns s itself when
// nothing changes.
func FoldString(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return Fold(r) != r }) {
		return s
	}
	return strings.Map(Fold, s)
}

// IsSpace reports whether r is white space or one of the invisible
// characters copy-and-paste leaves around a value: Unicode white space
// (U+3000 included), the byte-order mark U+FEFF, the zero-width space U+200B.
func IsSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\uFEFF' || r == '\u200B'
}

// Trim removes IsSpace runes from both ends of s.
func Trim(s string) string { return strings.TrimFunc(s, IsSpace) }

// Collapse trims s and turns every run of Unicode white space inside it
// into one ASCII space; it returns s itself when nothing changes.
func Collapse(s string) string {
	if !strings.ContainsFunc(s, unicode.IsSpace) {
		return s
	}
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}

// Clean is the display form of a name or an address: folded, then
// collapsed ("８８号　２栋" → "88号 2栋").
func Clean(s string) string { return Collapse(FoldString(s)) }

// Key is the comparison form of free text such as an address: folded,
// lower-cased, with white space and punctuation dropped, so "８８号，Ａ座"
// and "88号a座" have one key. It returns s itself when s is already a key.
func Key(s string) string {
	isKey := true
	for _, r := range s {
		if r >= 0x4E00 && r <= 0x9FFF { // CJK ideographs: neither space nor punctuation
			continue
		}
		if Fold(r) != r || unicode.IsSpace(r) || unicode.IsPunct(r) || (r >= 'A' && r <= 'Z') {
			isKey = false
			break
		}
	}
	if isKey {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		r = Fold(r)
		if unicode.IsSpace(r) || unicode.IsPunct(r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// Digits returns the ASCII digits of s, full-width digits folded, in order.
func Digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r = Fold(r); r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
