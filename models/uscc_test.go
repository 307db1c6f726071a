package models

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

const huawei = "914403001922038216" // 华为技术有限公司

// publishedCodes are codes as published on business licences and in the
// national enterprise credit information system; each was checked against
// an independent implementation of the GB 32100 algorithm.
var publishedCodes = []string{
	huawei,
	"91440300708461136T", // 深圳市腾讯计算机系统有限公司
	"91330100799655058B",
	"91110108551385082Q",
	"91110000802100433B",
	"91310000132149237G",
	"91110000710926094P",
}

// refCheck is a straightforward second implementation of the check
// character, written from the standard's definition rather than shared code.
func refCheck(first17 string) byte {
	sum, w := 0, 1
	for i := 0; i < 17; i++ {
		sum += strings.IndexByte(USCCAlphabet, first17[i]) * w
		w = w * 3 % 31
	}
	return USCCAlphabet[(31-sum%31)%31]
}

func TestUSCCWeights(t *testing.T) {
	w := 1
	for i := range usccWeights {
		if usccWeights[i] != w {
			t.Errorf("W_%d = %d, want 3^%d mod 31 = %d", i+1, usccWeights[i], i, w)
		}
		w = w * 3 % 31
	}
	if len(USCCAlphabet) != 31 || strings.ContainsAny(USCCAlphabet, "IOSVZ") {
		t.Errorf("bad alphabet %q", USCCAlphabet)
	}
}

func TestParseUSCCPublished(t *testing.T) {
	for _, s := range publishedCodes {
		c, err := ParseUSCC(s)
		if err != nil {
			t.Errorf("ParseUSCC(%q): %v", s, err)
			continue
		}
		if string(c) != s || c.String() != s || !c.Valid() {
			t.Errorf("ParseUSCC(%q) = %q", s, c)
		}
		if refCheck(s) != s[17] {
			t.Errorf("reference check disagrees for %q", s)
		}
		if !c.OrgCodeValid() {
			t.Errorf("%s: OrgCodeValid() = false", s)
		}
	}
}

func TestParseUSCCNormalises(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  914403001922038216\n", huawei},
		{"\t914403001922038216\u3000", huawei}, // full-width space
		{"\uFEFF914403001922038216\u200B", huawei},
		{"91440300708461136t", "91440300708461136T"},
		{"９１４４０３００１９２２０３８２１６", huawei}, // full-width digits
		{"９１４４０３００７０８４６１１３６Ｔ", "91440300708461136T"},
		{"９１４４０３００７０８４６１１３６ｔ", "91440300708461136T"},
		{"91330100799655058b", "91330100799655058B"},
		{"\u3000\u300091110108551385082q ", "91110108551385082Q"},
	}
	for _, tt := range tests {
		c, err := ParseUSCC(tt.in)
		if err != nil || string(c) != tt.want {
			t.Errorf("ParseUSCC(%q) = %q, %v; want %q", tt.in, c, err, tt.want)
		}
	}
}

// TestParseUSCCRejectsEverySingleChange is the acceptance test: every
// single-character change of a valid code is rejected, except changes that
// normalise back to the same code (case and full-width forms).
func TestParseUSCCRejectsEverySingleChange(t *testing.T) {
	const chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	for _, code := range publishedCodes {
		for pos := 0; pos < 18; pos++ {
			orig := code[pos]
			variants := chars + strings.ToLower(chars)
			for i := 0; i < len(variants); i++ {
				ch := variants[i]
				mutated := code[:pos] + string(ch) + code[pos+1:]
				same := ch == orig || (ch >= 'a' && ch-('a'-'A') == orig)
				c, err := ParseUSCC(mutated)
				if same {
					if err != nil || string(c) != code {
						t.Errorf("ParseUSCC(%q) = %q, %v; want %q", mutated, c, err, code)
					}
					continue
				}
				if err == nil {
					t.Errorf("ParseUSCC(%q) accepted a change of character %d of %s", mutated, pos+1, code)
					continue
				}
				checkRejection(t, mutated, err, pos+1, code)
			}
			// The full-width form of the original character is accepted.
			fw := code[:pos] + string(rune(orig)+0xFEE0) + code[pos+1:]
			if c, err := ParseUSCC(fw); err != nil || string(c) != code {
				t.Errorf("ParseUSCC(%q) = %q, %v; want %q", fw, c, err, code)
			}
		}
	}
}

// checkRejection checks the error for a code whose character pos was changed.
func checkRejection(t *testing.T, in string, err error, pos int, orig string) {
	t.Helper()
	var ue *USCCError
	if !errors.As(err, &ue) || !errors.Is(err, ErrInvalidUSCC) {
		t.Fatalf("ParseUSCC(%q) error %T %v is not a *USCCError matching ErrInvalidUSCC", in, err, err)
	}
	if ue.Input != in {
		t.Errorf("ParseUSCC(%q): Input = %q", in, ue.Input)
	}
	bad := strings.ToUpper(in[pos-1 : pos])
	if strings.Contains("IOSVZ", bad) {
		if ue.Pos != pos || ue.Expected != "" || !strings.Contains(ue.Reason, "is not allowed") {
			t.Errorf("ParseUSCC(%q) = %+v, want character %d not allowed", in, ue, pos)
		}
		return
	}
	if c := bad[0]; pos >= 3 && pos <= 8 && (c < '0' || c > '9') {
		if ue.Pos != pos || !strings.Contains(ue.Reason, "must be a digit") {
			t.Errorf("ParseUSCC(%q) = %+v, want character %d must be a digit", in, ue, pos)
		}
		return
	}
	// An allowed character: only the check character can tell, and it
	// names the character that makes the code consistent again.
	want := string(refCheck(strings.ToUpper(in[:17])))
	if pos == 18 {
		want = orig[17:]
	}
	if ue.Pos != 18 || ue.Expected != want || !strings.Contains(err.Error(), "expected check character '"+want+"'") {
		t.Errorf("ParseUSCC(%q) = %+v (%v), want check character error expecting %q", in, ue, err, want)
	}
}

func TestParseUSCCRejectsTranspositions(t *testing.T) {
	for _, code := range publishedCodes {
		for i := 0; i+1 < 18; i++ {
			if code[i] == code[i+1] {
				continue
			}
			b := []byte(code)
			b[i], b[i+1] = b[i+1], b[i]
			if _, err := ParseUSCC(string(b)); err == nil {
				t.Errorf("ParseUSCC(%q) accepted a transposition of %s", b, code)
			}
		}
	}
}

func TestParseUSCCErrors(t *testing.T) {
	tests := []struct {
		in       string
		pos      int
		expected string
		msg      string
	}{
		{"91440300192203821X", 18, "6",
			`unified social credit code "91440300192203821X": character 18 is 'X', expected check character '6'`},
		{"91440300192203821x", 18, "6",
			`unified social credit code "91440300192203821x": character 18 is 'x', expected check character '6'`},
		{"91440300192203821", 0, "",
			`unified social credit code "91440300192203821": has 17 characters, need 18`},
		{"9144030019220382166", 0, "",
			`unified social credit code "9144030019220382166": has 19 characters, need 18`},
		{"9", 0, "", `unified social credit code "9": has 1 character, need 18`},
		{"", 0, "", `unified social credit code "": is empty, need 18 characters`},
		{" \u3000 ", 0, "", `unified social credit code " \u3000 ": is empty, need 18 characters`},
		{"9144I3001922038216", 5, "",
			`unified social credit code "9144I3001922038216": character 5 'I' is not allowed (allowed: 0-9 and A-Z except I, O, S, V, Z)`},
		{"9144o3001922038216", 5, "",
			`unified social credit code "9144o3001922038216": character 5 'o' is not allowed (allowed: 0-9 and A-Z except I, O, S, V, Z)`},
		{"91440300-192203821", 9, "",
			`unified social credit code "91440300-192203821": character 9 '-' is not allowed (allowed: 0-9 and A-Z except I, O, S, V, Z)`},
		{"9144 0300192203826", 5, "",
			`unified social credit code "9144 0300192203826": character 5 ' ' is not allowed (allowed: 0-9 and A-Z except I, O, S, V, Z)`},
		{"华为技术有限公司华为技术有限公司华为", 1, "",
			`unified social credit code "华为技术有限公司华为技术有限公司华为": character 1 '华' is not allowed (allowed: 0-9 and A-Z except I, O, S, V, Z)`},
		{"91440300192203821\xff", 18, "",
			`unified social credit code "91440300192203821\xff": character 18 '�' is not allowed (allowed: 0-9 and A-Z except I, O, S, V, Z)`},
		{"  91440300192203821Z", 18, "",
			`unified social credit code "  91440300192203821Z": character 18 'Z' is not allowed (allowed: 0-9 and A-Z except I, O, S, V, Z)`},
	}
	for _, tt := range tests {
		c, err := ParseUSCC(tt.in)
		if err == nil {
			t.Errorf("ParseUSCC(%q) = %q, want an error", tt.in, c)
			continue
		}
		var ue *USCCError
		if !errors.As(err, &ue) || !errors.Is(err, ErrInvalidUSCC) {
			t.Errorf("ParseUSCC(%q): error %T does not match", tt.in, err)
			continue
		}
		if c != "" || ue.Input != tt.in || ue.Pos != tt.pos || ue.Expected != tt.expected {
			t.Errorf("ParseUSCC(%q) = %q, %+v; want Pos %d Expected %q", tt.in, c, ue, tt.pos, tt.expected)
		}
		if err.Error() != tt.msg {
			t.Errorf("ParseUSCC(%q) error\n got: %s\nwant: %s", tt.in, err, tt.msg)
		}
	}
}

func TestUSCCErrorLongInput(t *testing.T) {
	_, err := ParseUSCC(strings.Repeat("9", 10000))
	if err == nil || len(err.Error()) > 200 || !strings.Contains(err.Error(), "has 10000 characters, need 18") {
		t.Errorf("error for long input: %v", err)
	}
	if !errors.Is(&USCCError{}, ErrInvalidUSCC) || (&USCCError{Input: "x"}).Error() != `unified social credit code "x": is not valid` {
		t.Error("zero USCCError")
	}
}

func TestUSCCParts(t *testing.T) {
	c := MustParseUSCC(huawei)
	if c.Authority() != '9' || c.Category() != '1' || c.Division() != "440300" ||
		c.OrgCode() != "192203821" || c.Check() != '6' {
		t.Errorf("parts of %s: %c %c %s %s %c", c, c.Authority(), c.Category(), c.Division(), c.OrgCode(), c.Check())
	}
	if c.AuthorityName() != "Market regulation (工商/市场监管)" || c.CategoryName() != "Enterprise (企业)" {
		t.Errorf("names: %q %q", c.AuthorityName(), c.CategoryName())
	}

	names := []struct{ prefix, authority, category string }{
		{"92", "Market regulation (工商/市场监管)", "Individual business (个体工商户)"},
		{"93", "Market regulation (工商/市场监管)", "Farmers' specialised cooperative (农民专业合作社)"},
		{"12", "Staffing administration (机构编制)", "Public institution (事业单位)"},
		{"51", "Civil affairs (民政)", "Social organisation (社会团体)"},
		{"53", "Civil affairs (民政)", "Foundation (基金会)"},
		{"31", "Judicial administration (司法行政)", "Law firm (律师执业机构)"},
		{"N2", "Agriculture (农业)", "Village-level collective economic organisation (村级集体经济组织)"},
		{"Y1", "Other (其他)", "Other (其他)"},
		{"99", "Market regulation (工商/市场监管)", ""},
		{"B1", "", ""},
	}
	for _, n := range names {
		c, err := NewUSCC(n.prefix[0], n.prefix[1], "440300", "19220382")
		if err != nil {
			t.Fatalf("NewUSCC(%s): %v", n.prefix, err)
		}
		if c.AuthorityName() != n.authority || c.CategoryName() != n.category {
			t.Errorf("%s: names %q %q, want %q %q", c, c.AuthorityName(), c.CategoryName(), n.authority, n.category)
		}
	}

	// Malformed values never panic.
	for _, bad := range []USCC{"", "9144", USCC(strings.Repeat("9", 19))} {
		if bad.Authority() != 0 || bad.Category() != 0 || bad.Division() != "" || bad.OrgCode() != "" ||
			bad.Check() != 0 || bad.OrgCodeValid() || bad.Valid() || bad.AuthorityName() != "" || bad.CategoryName() != "" {
			t.Errorf("accessors of %q return non-zero values", bad)
		}
	}
	if USCC("914403001922038216 ").Valid() || USCC("91440300708461136t").Valid() {
		t.Error("Valid() accepts a non-normalised value")
	}
}

func TestOrgCodeValid(t *testing.T) {
	// Change the organisation code's own check character (position 17) and
	// recompute position 18: still a valid USCC, but not a valid org code.
	first17 := huawei[:16] + "2"
	ch, err := CheckChar(first17)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseUSCC(first17 + string(ch))
	if err != nil {
		t.Fatalf("ParseUSCC rejects a code whose org-code check fails: %v", err)
	}
	if c.OrgCodeValid() {
		t.Errorf("%s: OrgCodeValid() = true", c)
	}

	tests := []struct {
		body string
		want byte
	}{
		{"19220382", '1'},
		{"70846113", '6'},
		{"71093123", 'X'}, // C9 = 10
		{"10000000", '8'},
		{"00000000", '0'}, // C9 = 11
		{"abcdefgh", 0},   // letters: computed below
	}
	for _, tt := range tests {
		got, err := OrgCodeCheckChar(tt.body)
		if err != nil {
			t.Errorf("OrgCodeCheckChar(%q): %v", tt.body, err)
			continue
		}
		if tt.want != 0 && got != tt.want {
			t.Errorf("OrgCodeCheckChar(%q) = %c, want %c", tt.body, got, tt.want)
		}
	}
	// A=10 ... H=17: 10*3+11*7+12*9+13*10+14*5+15*8+16*4+17*2 = 633, 633 mod 11 = 6, 11-6 = 5.
	if got, _ := OrgCodeCheckChar("ABCDEFGH"); got != '5' {
		t.Errorf("OrgCodeCheckChar(ABCDEFGH) = %c, want 5", got)
	}
	for _, bad := range []string{"", "1922038", "192203821", "1922038-", "1922038!"} {
		if _, err := OrgCodeCheckChar(bad); !errors.Is(err, ErrInvalidUSCC) {
			t.Errorf("OrgCodeCheckChar(%q) error = %v", bad, err)
		}
	}
}

func TestCheckChar(t *testing.T) {
	for _, s := range publishedCodes {
		got, err := CheckChar(s[:17])
		if err != nil || got != s[17] {
			t.Errorf("CheckChar(%q) = %c, %v; want %c", s[:17], got, err, s[17])
		}
		if got, err := CheckChar(strings.ToLower(s[:17])); err != nil || got != s[17] {
			t.Errorf("CheckChar(lower %q) = %c, %v", s[:17], got, err)
		}
	}
	for _, tt := range []struct {
		in  string
		pos int
		msg string
	}{
		{"9144030019220382", 0, `unified social credit code "9144030019220382": has 16 characters, need 17 (the code without its check character)`},
		{huawei, 0, `unified social credit code "914403001922038216": has 18 characters, need 17 (the code without its check character)`},
		{"9144030019220382S", 17, `unified social credit code "9144030019220382S": character 17 'S' is not allowed (allowed: 0-9 and A-Z except I, O, S, V, Z)`},
	} {
		_, err := CheckChar(tt.in)
		var ue *USCCError
		if !errors.As(err, &ue) || ue.Pos != tt.pos || err.Error() != tt.msg || !errors.Is(err, ErrInvalidUSCC) {
			t.Errorf("CheckChar(%q) error = %v (%+v), want %s", tt.in, err, ue, tt.msg)
		}
	}
}

func TestNewUSCC(t *testing.T) {
	tests := []struct {
		authority, category byte
		division, org       string
		want                string
	}{
		{'9', '1', "440300", "19220382", huawei},
		{'9', '1', "440300", "192203821", huawei},
		{'9', '1', "440300", "19220382-1", huawei},
		{'9', '1', "440300", "70846113", "91440300708461136T"},
		{'9', '1', "110000", "71093123", "9111000071093123XX"}, // org check 'X'
		{'n', '2', "440305", "ab123456", ""},                   // lower case accepted; want computed
	}
	for _, tt := range tests {
		c, err := NewUSCC(tt.authority, tt.category, tt.division, tt.org)
		if err != nil {
			t.Errorf("NewUSCC(%c, %c, %q, %q): %v", tt.authority, tt.category, tt.division, tt.org, err)
			continue
		}
		if tt.want != "" && string(c) != tt.want {
			t.Errorf("NewUSCC(%c, %c, %q, %q) = %s, want %s", tt.authority, tt.category, tt.division, tt.org, c, tt.want)
		}
		if !c.Valid() || !c.OrgCodeValid() || c.Division() != tt.division {
			t.Errorf("NewUSCC(...) = %s: Valid %v OrgCodeValid %v", c, c.Valid(), c.OrgCodeValid())
		}
	}
	// A 9-character organisation code is used as given, even when its own
	// check character is wrong.
	c, err := NewUSCC('9', '2', "440305", "192203822")
	if err != nil || !c.Valid() || c.OrgCodeValid() {
		t.Errorf("NewUSCC with a bad org check = %s, %v", c, err)
	}

	for _, tt := range []struct {
		authority, category byte
		division, org       string
		msg                 string
	}{
		{'I', '1', "440300", "19220382", `registration authority code 'I' is not allowed`},
		{'9', '-', "440300", "19220382", `category code '-' is not allowed`},
		{'9', '1', "44030", "19220382", `division code "44030" must be 6 digits`},
		{'9', '1', "44030A", "19220382", `division code "44030A" must be 6 digits`},
		{'9', '1', "440300", "1922038", `organisation code "1922038" must have 8 characters (9 with its check character)`},
		{'9', '1', "440300", "1922038O", `organisation code "1922038O": character 8 'O' is not allowed`},
		{'9', '1', "440300", "19220382--", `organisation code "19220382--": character 9 '-' is not allowed`},
	} {
		_, err := NewUSCC(tt.authority, tt.category, tt.division, tt.org)
		if !errors.Is(err, ErrInvalidUSCC) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("NewUSCC(%c, %c, %q, %q) error = %v, want it to contain %s", tt.authority, tt.category, tt.division, tt.org, err, tt.msg)
		}
	}
}

func TestMustParseUSCCPanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil {
			t.Error("MustParseUSCC did not panic")
		}
	}()
	MustParseUSCC("91440300192203821X")
}

func FuzzParseUSCC(f *testing.F) {
	for _, s := range publishedCodes {
		f.Add(s)
	}
	for _, s := range []string{"", "91440300192203821X", "91440300708461136t", "９１４４０３００１９２２０３８２１６",
		"\u3000914403001922038216 ", "9144I3001922038216", "91440300192203821\xff", "ｉ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseUSCC(s)
		if err != nil {
			var ue *USCCError
			if c != "" || !errors.As(err, &ue) || !errors.Is(err, ErrInvalidUSCC) || ue.Input != s ||
				ue.Pos < 0 || ue.Pos > 18 || err.Error() == "" {
				t.Fatalf("ParseUSCC(%q) = %q, %v (%T)", s, c, err, err)
			}
			return
		}
		if len(c) != 18 || !utf8.ValidString(string(c)) {
			t.Fatalf("ParseUSCC(%q) = %q: not 18 characters", s, c)
		}
		for i := 0; i < 18; i++ {
			if strings.IndexByte(USCCAlphabet, c[i]) < 0 {
				t.Fatalf("ParseUSCC(%q) = %q: character %d outside the alphabet", s, c, i+1)
			}
		}
		if refCheck(string(c)) != c[17] {
			t.Fatalf("ParseUSCC(%q) = %q: check character does not verify", s, c)
		}
		again, err := ParseUSCC(string(c))
		if err != nil || again != c || !c.Valid() {
			t.Fatalf("re-parsing %q = %q, %v", c, again, err)
		}
		if c.Region().Code != c.Division() {
			t.Fatalf("%q: Region().Code = %q", c, c.Region().Code)
		}
		_ = c.AuthorityName() + c.CategoryName()
		_ = c.OrgCodeValid()
	})
}

func TestParseUSCCDivisionMustBeDigits(t *testing.T) {
	// A letter in the division part, with a check character that matches.
	body := "9144A300192203821"
	c, err := CheckChar(body)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ParseUSCC(body + string(c))
	var ue *USCCError
	if !errors.As(err, &ue) || ue.Pos != 5 || !strings.Contains(err.Error(), "administrative division") {
		t.Errorf("letter in the division code: %v", err)
	}
}
