package ingest

import (
	"fmt"
	"strings"
	"time"

	"riskgraph/models"
)

// Resident identity numbers: the format and check character are in
// models (IDNumberCheckChar); this file validates and masks them as input.

// checkIDNumber validates an 18-character resident identity number and
// returns it normalised (trimmed, 'x' upper-cased). On failure it returns the
// reason and what to change; neither repeats the number.
func checkIDNumber(s string, today models.Date) (string, *fieldError) {
	bad := func(reason, fix string) (string, *fieldError) {
		return "", &fieldError{Reason: reason, Fix: fix}
	}
	n := strings.ToUpper(strings.TrimSpace(s))
	if len(n) != 18 {
		if len(n) == 15 && digits(n) {
			return bad("is a 15-digit number of the first generation",
				"convert it to 18 digits (insert 19 before the 2-digit birth year and append the check character)")
		}
		return bad(fmt.Sprintf("has %d characters, a resident identity number has 18", len([]rune(n))),
			"give the 18-character number, or leave id_number empty when the person has no mainland identity card")
	}
	if !digits(n[:17]) || !(digits(n[17:]) || n[17] == 'X') {
		return bad("must be 17 digits followed by a digit or X",
			"remove spaces and other characters inside the number")
	}
	if r := models.LookupRegion(n[:6]); r.Level == models.RegionUnknown && n[:2] != "83" {
		return bad(fmt.Sprintf("its first 6 digits do not start with a province code (%s…)", n[:2]),
			"check the number against the identity card")
	}
	birth, err := time.Parse("20060102", n[6:14])
	if err != nil || birth.Year() < 1900 || birth.After(today.Time) {
		return bad("digits 7-14 are not a plausible birth date (YYYYMMDD)", "check the number against the identity card")
	}
	if want, _ := models.IDNumberCheckChar(n[:17]); n[17] != want { // n[:17] is digits
		return bad(fmt.Sprintf("the check character (position 18) should be %c", want),
			"correct the mistyped digit; the number as given cannot be right")
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
