package models

import "fmt"

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
