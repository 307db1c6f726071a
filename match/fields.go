package match

import (
	"strings"

	"riskgraph/models"
	"riskgraph/textnorm"
)

// addressVariants rewrite the ways a building and a room are written to
// one form, applied in order after simplification: 号楼 / 幢 / 座 / 栋楼 → 栋,
// 房 / 号房 / 室 → 室 (and a trailing 室 dropped), 第 dropped.
var addressVariants = strings.NewReplacer(
	"号楼", "栋", "栋楼", "栋", "幢", "栋", "座", "栋",
	"号房", "室", "房间", "室", "房", "室",
	"第", "",
)

// Address is the normal form of an address: simplified, punctuation and
// spaces dropped, leading full province / city / county names split off into
// Regions, building and room words unified.
type Address struct {
	Regions []string
	Rest    string
}

// NormalizeAddress computes an address's normal form.
func NormalizeAddress(raw string) Address {
	s := keep(Simplify(raw))
	sp := splitRegionBy(fullRegionNames(), s)
	rest := addressVariants.Replace(sp.rest)
	rest = strings.TrimSuffix(rest, "室")
	return Address{Regions: sp.codes, Rest: rest}
}

// CompareAddress scores two normalised addresses in [0,1]: 1 when the
// parts after the region are equal, otherwise the Dice coefficient of
// their character bigrams; regions that contradict (both known, neither
// inside the other) give 0.
func CompareAddress(a, b Address) float64 {
	if a.Rest == "" || b.Rest == "" {
		return 0
	}
	if len(a.Regions) > 0 && len(b.Regions) > 0 && !regionsOverlap(a.Regions, b.Regions) {
		return 0
	}
	if a.Rest == b.Rest {
		return 1
	}
	return Dice(a.Rest, b.Rest)
}

func regionsOverlap(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			px, py := regionPrefix(x), regionPrefix(y)
			if strings.HasPrefix(px, py) || strings.HasPrefix(py, px) {
				return true
			}
		}
	}
	return false
}

// NormalizePhone reduces a telephone number to its national digits: the
// country code (+86, 0086, 86 before an 11-digit mobile or a 0-led
// landline) and separators dropped, a landline's leading 0 kept
// ("+86 (571) 8073-8225" → "057180738225"). It returns "" for fewer than
// 7 digits.
func NormalizePhone(raw string) string {
	d := textnorm.Digits(raw)
	switch {
	case strings.HasPrefix(d, "0086"):
		d = d[4:]
	case strings.HasPrefix(d, "86") && (len(d) == 13 || len(d) >= 11 && d[2] != '1' && len(d) <= 13):
		d = d[2:]
	}
	if len(d) >= 9 && len(d) <= 11 && d[0] >= '2' && d[0] <= '9' {
		d = "0" + d // a landline with its area code but without the trunk 0
	}
	if len(d) < 7 {
		return ""
	}
	return d
}

// phoneTail is the index key of a phone number: its last 7 digits, so a
// landline given without its area code still finds its candidates.
func phoneTail(p string) string {
	if len(p) <= 7 {
		return p
	}
	return p[len(p)-7:]
}

// ComparePhone scores two normalised numbers: 1 when equal, 0.8 when one
// is a landline without area code whose digits end the other, 0 otherwise.
func ComparePhone(a, b string) float64 {
	switch {
	case a == "" || b == "":
		return 0
	case a == b:
		return 1
	case len(a) <= 8 && strings.HasSuffix(b, a), len(b) <= 8 && strings.HasSuffix(a, b):
		return 0.8
	}
	return 0
}

// NormalizeEmail lower-cases and trims an e-mail address; "" when it has no @.
func NormalizeEmail(raw string) string {
	s := strings.ToLower(textnorm.Trim(textnorm.FoldString(raw)))
	if !strings.Contains(s, "@") {
		return ""
	}
	return s
}

// NormalizePersonName is the comparison form of a person's name (a legal
// representative): simplified, spaces, dots and punctuation dropped.
func NormalizePersonName(raw string) string { return keep(Simplify(raw)) }

// NormalizeUSCC returns the valid USCC in s, or "".
func NormalizeUSCC(s string) string {
	c, err := models.ParseUSCC(s)
	if err != nil {
		return ""
	}
	return string(c)
}

// NormalizeOrgCode returns the 9-character organisation code in s
// (GB 11714; separators such as "12345678-9" dropped, full-width folded,
// upper case), or "" when it is not 9 characters of the code alphabet.
func NormalizeOrgCode(s string) string {
	var b strings.Builder
	for _, r := range textnorm.FoldString(s) {
		switch {
		case r >= '0' && r <= '9', r >= 'A' && r <= 'Z':
			b.WriteRune(r)
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case r == '-' || textnorm.IsSpace(r):
		default:
			return ""
		}
	}
	if b.Len() != 9 {
		return ""
	}
	return b.String()
}

// NormalizeRegNo returns the 15-digit registration number (注册号) in s,
// or "".
func NormalizeRegNo(s string) string {
	d := textnorm.Digits(s)
	if len(d) != 15 || len(strings.TrimFunc(textnorm.FoldString(s), func(r rune) bool { return r >= '0' && r <= '9' || textnorm.IsSpace(r) })) != 0 {
		return ""
	}
	return d
}
