package ingest

import (
	"strings"

	"riskgraph/models"
)

// Resident identity numbers: the format and check character are in
// models (IDNumberCheckChar); this file validates and masks them as input.

// checkIDNumber validates an 18-character resident identity number and
// returns it normalised (trimmed, 'x' upper-cased). On failure it returns the
// reason and what to change; neither repeats the number. The rules are
// models.CheckIDNumber's (the API's person queries use them too).
func checkIDNumber(s string, today models.Date) (string, *fieldError) {
	n, p := models.CheckIDNumber(s, today)
	if p != nil {
		return "", &fieldError{Reason: p.Reason, Fix: p.Fix}
	}
	return n, nil
}

// looksLikeIDNumber reports whether s has the shape of a resident identity
// number (15 digits, or 17 digits and a digit or X), wherever it was put.
func looksLikeIDNumber(s string) bool {
	s = strings.TrimSpace(s)
	switch len(s) {
	case 15:
		return digits(s)
	case 18:
		return digits(s[:17]) && (digits(s[17:]) || s[17] == 'X' || s[17] == 'x')
	}
	return false
}

// maskIDNumber hides an identity number for reports: it keeps the length
// and nothing else that identifies the person.
func maskIDNumber(s string) string {
	n := len([]rune(s))
	if n > 40 {
		n = 40
	}
	return strings.Repeat("*", n)
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
