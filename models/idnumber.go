package models

import (
	"fmt"
	"strings"
	"time"
)

// Resident identity numbers (公民身份号码, GB 11643-1999): 6 digits of
// administrative division, 8 digits of birth date (YYYYMMDD), a 3-digit
// sequence (odd for men) and a check character over the first 17 digits,
// ISO 7064 MOD 11-2, written 'X' for 10. The raw number is never stored
// (see PIDHasher); ingest validates it and synth generates it, both with
// IDNumberCheckChar.

var idNumberWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idNumberChecks = "10X98765432"

// IDNumberCheckChar returns the check character (position 18, '0'-'9' or
// 'X') of a resident identity number from its first 17 characters, which
// must be 17 ASCII digits.
func IDNumberCheckChar(first17 string) (byte, error) {
	if len(first17) != 17 {
		return 0, fmt.Errorf("identity number check: %d characters, want the first 17 digits", len(first17))
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := first17[i]
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("identity number check: character %d is not a digit", i+1)
		}
		sum += int(c-'0') * idNumberWeights[i]
	}
	return idNumberChecks[sum%11], nil
}

// IDNumberProblem says why a resident identity number is refused and what
// to change; neither repeats the number.
type IDNumberProblem struct {
	Reason string // "has 17 characters, a resident identity number has 18"
	Fix    string // what to change
}

// CheckIDNumber validates an 18-character resident identity number (length,
// 17 digits and a digit or X, a province code, a plausible birth date not
// after today, the check character) and returns it normalised (trimmed,
// 'x' upper-cased). On failure it returns the problem, which does not
// repeat the number.
func CheckIDNumber(s string, today Date) (string, *IDNumberProblem) {
	bad := func(reason, fix string) (string, *IDNumberProblem) {
		return "", &IDNumberProblem{Reason: reason, Fix: fix}
	}
	n := strings.ToUpper(strings.TrimSpace(s))
	if len(n) != 18 {
		if len(n) == 15 && allDigits(n) {
			return bad("is a 15-digit number of the first generation",
				"convert it to 18 digits (insert 19 before the 2-digit birth year and append the check character)")
		}
		return bad(fmt.Sprintf("has %d characters, a resident identity number has 18", len([]rune(n))),
			"give the 18-character number, or leave id_number empty when the person has no mainland identity card")
	}
	if !allDigits(n[:17]) || !(allDigits(n[17:]) || n[17] == 'X') {
		return bad("must be 17 digits followed by a digit or X",
			"remove spaces and other characters inside the number")
	}
	if r := LookupRegion(n[:6]); r.Level == RegionUnknown && n[:2] != "83" {
		return bad(fmt.Sprintf("its first 6 digits do not start with a province code (%s…)", n[:2]),
			"check the number against the identity card")
	}
	birth, err := time.Parse("20060102", n[6:14])
	if err != nil || birth.Year() < 1900 || birth.After(today.Time) {
		return bad("digits 7-14 are not a plausible birth date (YYYYMMDD)", "check the number against the identity card")
	}
	if want, _ := IDNumberCheckChar(n[:17]); n[17] != want { // n[:17] is digits
		return bad(fmt.Sprintf("the check character (position 18) should be %c", want),
			"correct the mistyped digit; the number as given cannot be right")
	}
	return n, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
