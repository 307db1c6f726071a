package engine

import (
	"strings"

	"riskgraph/textnorm"
)

// normAddress is an address's comparison key (textnorm.Key); it returns s
// itself when nothing changes, so the projection does not copy it.
func normAddress(s string) string { return textnorm.Key(s) }

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
		d = textnorm.Digits(s)
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
