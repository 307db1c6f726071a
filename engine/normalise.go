package engine

import (
	"strings"
	"unicode"
)

// normAddress folds an address for comparison: full-width forms to ASCII,
// letters to lower case, white space and punctuation dropped. It returns s
// itself when nothing changes, so the projection does not copy it.
func normAddress(s string) string {
	clean := true
	for _, r := range s {
		if r >= 0x4E00 && r <= 0x9FFF { // CJK ideographs: neither space nor punctuation
			continue
		}
		if r >= 0xFF01 && r <= 0xFF5E || r == 0x3000 || unicode.IsSpace(r) || unicode.IsPunct(r) || (r >= 'A' && r <= 'Z') {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r >= 0xFF01 && r <= 0xFF5E {
			r -= 0xFEE0
		}
		if r == 0x3000 || unicode.IsSpace(r) || unicode.IsPunct(r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// normPhone keeps the digits of a phone number and drops a leading 86 or
// 0086 country code from numbers longer than 11 digits.
func normPhone(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			clean = false
			break
		}
	}
	d := s
	if !clean {
		var b strings.Builder
		for _, r := range s {
			if r >= 0xFF10 && r <= 0xFF19 {
				r -= 0xFEE0
			}
			if r >= '0' && r <= '9' {
				b.WriteRune(r)
			}
		}
		d = b.String()
	}
	if len(d) > 11 {
		if t, ok := strings.CutPrefix(d, "0086"); ok {
			d = t
		} else if t, ok := strings.CutPrefix(d, "86"); ok && len(t) >= 11 {
			d = t
		}
	}
	if len(d) < 5 { // not a number one can share meaningfully
		return ""
	}
	return d
}

// normEmail lower-cases and trims an e-mail address.
func normEmail(s string) string {
	t := strings.TrimSpace(s)
	if !strings.Contains(t, "@") {
		return ""
	}
	for i := 0; i < len(t); i++ {
		if t[i] >= 'A' && t[i] <= 'Z' {
			return strings.ToLower(t)
		}
	}
	return t
}
