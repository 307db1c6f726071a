package models

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"riskgraph/textnorm"
)

// USCC is a unified social credit code (统一社会信用代码, GB 32100-2015) in
// normalised form: 18 characters from USCCAlphabet, upper case, with a valid
// check character. Values obtained from ParseUSCC, MustParseUSCC or NewUSCC
// are always valid; converting an arbitrary string with USCC(s) is not, and
// the accessors below then return zero values rather than panic.
//
// Layout (1-based positions):
//
//	1     registration authority code (登记管理部门代码), see Authority
//	2     organisation category code (机构类别代码), see Category
//	3-8   administrative division of the registering office (GB/T 2260)
//	9-17  organisation code (主体标识码 / 组织机构代码, GB 11714), whose
//	      own check character is position 17
//	18    check character over positions 1-17
type USCC string

// USCCAlphabet lists the 31 characters a unified social credit code may
// contain, in value order (character i has value i): the digits and the
// upper-case letters except I, O, S, V and Z.
const USCCAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// usccAllowed describes USCCAlphabet for error messages.
const usccAllowed = "0-9 and A-Z except I, O, S, V, Z"

// usccWeights holds W_i = 3^(i-1) mod 31 for i = 1..17.
var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// usccValue maps an upper-case ASCII byte to its value in USCCAlphabet, or -1.
var usccValue = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(USCCAlphabet); i++ {
		t[USCCAlphabet[i]] = int8(i)
	}
	return t
}()

// ErrInvalidUSCC is matched by errors.Is for every error returned by
// ParseUSCC, CheckChar, NewUSCC and OrgCodeCheckChar.
var ErrInvalidUSCC = errors.New("invalid unified social credit code")

// USCCError describes why a string is not a valid unified social credit code.
type USCCError struct {
	// Input is the string as given (before trimming and normalisation).
	Input string
	// Pos is the 1-based position of the offending character within the
	// trimmed input, or 0 when the problem is not one character (length,
	// emptiness, a bad NewUSCC argument).
	Pos int
	// Reason says what is wrong and, where possible, what to change.
	Reason string
	// Expected is the character that belongs at Pos when it is known
	// (the check character), otherwise "".
	Expected string
}

// Error returns e.g. `unified social credit code "91440300192203821X":
// character 18 is 'X', expected check character '6'`.
func (e *USCCError) Error() string {
	reason := e.Reason
	if reason == "" {
		reason = "is not valid"
	}
	return fmt.Sprintf("unified social credit code %s: %s", quoteInput(e.Input), reason)
}

// Is reports whether target is ErrInvalidUSCC.
func (e *USCCError) Is(target error) bool { return target == ErrInvalidUSCC }

// quoteInput quotes s for an error message, shortening very long input.
func quoteInput(s string) string {
	const maxRunes = 40
	if utf8.RuneCountInString(s) <= maxRunes {
		return fmt.Sprintf("%q", s)
	}
	n := 0
	for i := range s {
		if n == maxRunes {
			return fmt.Sprintf("%q…", s[:i])
		}
		n++
	}
	return fmt.Sprintf("%q", s)
}

// isUSCCSpace reports whether r may surround a code and is trimmed: Unicode
// white space (including the full-width space U+3000), the byte-order mark
// and the zero-width space that copy-and-paste tends to leave behind.
func isUSCCSpace(r rune) bool { return textnorm.IsSpace(r) }

// foldUSCCRune maps r to an upper-case ASCII byte: ASCII letters are
// upper-cased and full-width digits and Latin letters (U+FF10-U+FF19,
// U+FF21-U+FF3A, U+FF41-U+FF5A) become their ASCII forms. It returns 0 for
// any other rune. The result may still be outside USCCAlphabet (e.g. 'I').
func foldUSCCRune(r rune) byte {
	switch r = textnorm.Fold(r); {
	case r >= '0' && r <= '9', r >= 'A' && r <= 'Z':
		return byte(r)
	case r >= 'a' && r <= 'z':
		return byte(r - 'a' + 'A')
	}
	return 0
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// ParseUSCC normalises s and checks that it is a valid unified social credit
// code. Normalisation trims surrounding white space (including full-width
// spaces), upper-cases letters and converts full-width digits and letters to
// ASCII. The result must have 18 characters from USCCAlphabet and a correct
// check character (position 18).
//
// The GB 11714 check character of the embedded organisation code
// (position 17) is not enforced, since some codes in circulation fail it;
// see USCC.OrgCodeValid.
//
// Errors are *USCCError and match ErrInvalidUSCC with errors.Is.
func ParseUSCC(s string) (USCC, error) {
	t := strings.TrimFunc(s, isUSCCSpace)
	if t == "" {
		return "", &USCCError{Input: s, Reason: "is empty, need 18 characters"}
	}
	if n := utf8.RuneCountInString(t); n != 18 {
		return "", &USCCError{Input: s, Reason: fmt.Sprintf("has %s, need 18", plural(n, "character"))}
	}
	var code [18]byte
	var last rune
	i := 0
	for _, r := range t {
		c := foldUSCCRune(r)
		if usccValue[c] < 0 {
			return "", &USCCError{Input: s, Pos: i + 1,
				Reason: fmt.Sprintf("character %d %q is not allowed (allowed: %s)", i+1, r, usccAllowed)}
		}
		if i >= 2 && i <= 7 && (c < '0' || c > '9') {
			return "", &USCCError{Input: s, Pos: i + 1,
				Reason: fmt.Sprintf("character %d %q must be a digit (characters 3-8 are the administrative division code)", i+1, r)}
		}
		code[i] = c
		last = r
		i++
	}
	want := checkChar(code[:17])
	if code[17] != want {
		return "", &USCCError{Input: s, Pos: 18, Expected: string(want),
			Reason: fmt.Sprintf("character 18 is %q, expected check character %q", last, rune(want))}
	}
	return USCC(code[:]), nil
}

// MustParseUSCC is ParseUSCC for known-good constants; it panics on error.
func MustParseUSCC(s string) USCC {
	c, err := ParseUSCC(s)
	if err != nil {
		panic(err)
	}
	return c
}

// checkChar computes the check character of 17 upper-case characters that
// are all in USCCAlphabet.
func checkChar(first17 []byte) byte {
	sum := 0
	for i, c := range first17 {
		sum += int(usccValue[c]) * usccWeights[i]
	}
	return USCCAlphabet[(31-sum%31)%31]
}

// CheckChar returns the check character (position 18) for the first 17
// characters of a unified social credit code. Letters may be lower case or
// full-width, as in ParseUSCC; any other character outside USCCAlphabet is
// an error.
func CheckChar(first17 string) (byte, error) {
	b, err := foldUSCCChars(first17, 17, "the code without its check character")
	if err != nil {
		return 0, err
	}
	return checkChar(b), nil
}

// foldUSCCChars normalises s like ParseUSCC does (without trimming) and
// checks that it has n characters from USCCAlphabet.
func foldUSCCChars(s string, n int, what string) ([]byte, error) {
	if m := utf8.RuneCountInString(s); m != n {
		return nil, &USCCError{Input: s,
			Reason: fmt.Sprintf("has %s, need %d (%s)", plural(m, "character"), n, what)}
	}
	b := make([]byte, 0, n)
	for _, r := range s {
		c := foldUSCCRune(r)
		if usccValue[c] < 0 {
			return nil, &USCCError{Input: s, Pos: len(b) + 1,
				Reason: fmt.Sprintf("character %d %q is not allowed (allowed: %s)", len(b)+1, r, usccAllowed)}
		}
		b = append(b, c)
	}
	return b, nil
}

// orgCodeWeights are the GB 11714-1997 weights of the organisation code body.
var orgCodeWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

// OrgCodeCheckChar returns the GB 11714 check character of an organisation
// code body of 8 digits or letters (letters count 10..35, case-insensitive):
// C9 = 11 − (Σ value × weight mod 11), written 'X' for 10 and '0' for 11.
func OrgCodeCheckChar(body string) (byte, error) {
	if n := utf8.RuneCountInString(body); n != 8 {
		return 0, &USCCError{Input: body,
			Reason: fmt.Sprintf("organisation code body has %s, need 8", plural(n, "character"))}
	}
	sum, i := 0, 0
	for _, r := range body {
		c := foldUSCCRune(r)
		var v int
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		default:
			return 0, &USCCError{Input: body, Pos: i + 1,
				Reason: fmt.Sprintf("organisation code character %d %q is not allowed (allowed: 0-9, A-Z)", i+1, r)}
		}
		sum += v * orgCodeWeights[i]
		i++
	}
	switch c9 := 11 - sum%11; c9 {
	case 10:
		return 'X', nil
	case 11:
		return '0', nil
	default:
		return byte('0' + c9), nil
	}
}

// NewUSCC builds a valid code from its parts: the registration authority
// code (position 1), the category code (position 2), a 6-digit division code
// and the organisation code, given either as its 8-character body, in which
// case the GB 11714 check character is computed and appended, or as all 9
// characters (optionally written "XXXXXXXX-X"), which are used as given.
// Letters may be lower case. Every character must be in USCCAlphabet; the
// authority and category need not be ones listed by AuthorityName and
// CategoryName.
func NewUSCC(authority, category byte, division string, orgCode string) (USCC, error) {
	input := string([]byte{authority, category}) + division + orgCode
	fail := func(format string, args ...any) (USCC, error) {
		return "", &USCCError{Input: input, Reason: fmt.Sprintf(format, args...)}
	}
	a, c := foldUSCCRune(rune(authority)), foldUSCCRune(rune(category))
	if usccValue[a] < 0 {
		return fail("registration authority code %q is not allowed (allowed: %s)", rune(authority), usccAllowed)
	}
	if usccValue[c] < 0 {
		return fail("category code %q is not allowed (allowed: %s)", rune(category), usccAllowed)
	}
	if len(division) != 6 || strings.Trim(division, "0123456789") != "" {
		return fail("division code %q must be 6 digits", division)
	}
	org := orgCode
	if utf8.RuneCountInString(org) == 10 && strings.IndexByte(org, '-') == 8 {
		org = org[:8] + org[9:]
	}
	var body []byte
	switch utf8.RuneCountInString(org) {
	case 8, 9:
		var err error
		if body, err = foldUSCCChars(org, utf8.RuneCountInString(org), "organisation code"); err != nil {
			return fail("organisation code %q: %s", orgCode, err.(*USCCError).Reason)
		}
	default:
		return fail("organisation code %q must have 8 characters (9 with its check character)", orgCode)
	}
	if len(body) == 8 {
		c9, err := OrgCodeCheckChar(string(body))
		if err != nil {
			return "", err
		}
		body = append(body, c9)
	}
	first17 := append([]byte{a, c}, division...)
	first17 = append(first17, body...)
	return USCC(append(first17, checkChar(first17))), nil
}

// ok reports whether c has the 18 bytes the accessors rely on.
func (c USCC) ok() bool { return len(c) == 18 }

// String returns the code itself.
func (c USCC) String() string { return string(c) }

// Valid reports whether c is a valid, normalised code, i.e. whether
// ParseUSCC(string(c)) would return c unchanged.
func (c USCC) Valid() bool {
	p, err := ParseUSCC(string(c))
	return err == nil && p == c
}

// Authority returns the registration authority code (position 1), or 0.
func (c USCC) Authority() byte {
	if !c.ok() {
		return 0
	}
	return c[0]
}

// Category returns the organisation category code (position 2), or 0. Its
// meaning depends on Authority; see CategoryName.
func (c USCC) Category() byte {
	if !c.ok() {
		return 0
	}
	return c[1]
}

// Division returns the administrative division code of the registering
// office (positions 3-8, GB/T 2260), or "". See Region.
func (c USCC) Division() string {
	if !c.ok() {
		return ""
	}
	return string(c[2:8])
}

// OrgCode returns the 9-character organisation code (positions 9-17), or "".
func (c USCC) OrgCode() string {
	if !c.ok() {
		return ""
	}
	return string(c[8:17])
}

// Check returns the check character (position 18), or 0.
func (c USCC) Check() byte {
	if !c.ok() {
		return 0
	}
	return c[17]
}

// OrgCodeValid reports whether the organisation code (positions 9-17) carries
// a correct GB 11714 check character at position 17. Most codes do; codes
// issued to some individual businesses and codes carried over from older
// registers may not, which is why ParseUSCC does not require it.
func (c USCC) OrgCodeValid() bool {
	if !c.ok() {
		return false
	}
	want, err := OrgCodeCheckChar(string(c[8:16]))
	return err == nil && want == c[16]
}

type usccName struct{ en, zh string }

func (n usccName) String() string {
	if n.en == "" {
		return ""
	}
	return n.en + " (" + n.zh + ")"
}

// usccAuthorities lists the registration authority codes (登记管理部门代码)
// and, for each, its category codes (机构类别代码), as published with
// GB 32100-2015 by the national USCC data centre.
var usccAuthorities = map[byte]struct {
	name       usccName
	categories map[byte]usccName
}{
	'1': {usccName{"Staffing administration", "机构编制"}, map[byte]usccName{
		'1': {"State organ", "机关"},
		'2': {"Public institution", "事业单位"},
		'3': {"Mass organisation under the central staffing office", "中央编办直接管理机构编制的群众团体"},
		'9': {"Other", "其他"},
	}},
	'2': {usccName{"Foreign affairs", "外交"}, map[byte]usccName{
		'1': {"Resident foreign news agency", "外国常驻新闻机构"},
		'9': {"Other", "其他"},
	}},
	'3': {usccName{"Judicial administration", "司法行政"}, map[byte]usccName{
		'1': {"Law firm", "律师执业机构"},
		'2': {"Notary office", "公证处"},
		'3': {"Grassroots legal service office", "基层法律服务所"},
		'4': {"Forensic appraisal institution", "司法鉴定机构"},
		'5': {"Arbitration commission", "仲裁委员会"},
		'9': {"Other", "其他"},
	}},
	'4': {usccName{"Culture", "文化"}, map[byte]usccName{
		'1': {"Foreign cultural centre in China", "外国在华文化中心"},
		'9': {"Other", "其他"},
	}},
	'5': {usccName{"Civil affairs", "民政"}, map[byte]usccName{
		'1': {"Social organisation", "社会团体"},
		'2': {"Private non-enterprise unit", "民办非企业单位"},
		'3': {"Foundation", "基金会"},
		'9': {"Other", "其他"},
	}},
	'6': {usccName{"Tourism", "旅游"}, map[byte]usccName{
		'1': {"Resident office of a foreign tourism authority", "外国旅游部门常驻代表机构"},
		'2': {"Resident office of a Hong Kong, Macao or Taiwan tourism authority", "港澳台地区旅游部门常驻内地（大陆）代表机构"},
		'9': {"Other", "其他"},
	}},
	'7': {usccName{"Religious affairs", "宗教"}, map[byte]usccName{
		'1': {"Place of religious activity", "宗教活动场所"},
		'2': {"Religious college", "宗教院校"},
		'9': {"Other", "其他"},
	}},
	'8': {usccName{"Trade unions", "工会"}, map[byte]usccName{
		'1': {"Grassroots trade union", "基层工会"},
		'9': {"Other", "其他"},
	}},
	'9': {usccName{"Market regulation", "工商/市场监管"}, map[byte]usccName{
		'1': {"Enterprise", "企业"},
		'2': {"Individual business", "个体工商户"},
		'3': {"Farmers' specialised cooperative", "农民专业合作社"},
	}},
	'A': {usccName{"CMC reform and staffing office", "中央军委改革和编制办公室"}, map[byte]usccName{
		'1': {"Military public institution", "军队事业单位"},
		'9': {"Other", "其他"},
	}},
	'N': {usccName{"Agriculture", "农业"}, map[byte]usccName{
		'1': {"Group-level collective economic organisation", "组级集体经济组织"},
		'2': {"Village-level collective economic organisation", "村级集体经济组织"},
		'3': {"Township-level collective economic organisation", "乡镇级集体经济组织"},
		'9': {"Other", "其他"},
	}},
	'Y': {usccName{"Other", "其他"}, map[byte]usccName{
		'1': {"Other", "其他"},
	}},
}

// AuthorityName returns the registration authority in English and Chinese,
// e.g. "Market regulation (工商/市场监管)" for '9', or "" when the code is not
// a listed authority.
func (c USCC) AuthorityName() string {
	return usccAuthorities[c.Authority()].name.String()
}

// CategoryName returns the organisation category in English and Chinese,
// e.g. "Enterprise (企业)" for a code starting "91", or "" when the
// category is not listed for the code's authority.
func (c USCC) CategoryName() string {
	return usccAuthorities[c.Authority()].categories[c.Category()].String()
}
