package match

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/longbridgeapp/opencc"

	"riskgraph/models"
	"riskgraph/textnorm"
)

// Normal forms. Every comparison of the matcher works on these, never on
// the raw text, and the index stores them, so a query and a stored
// enterprise written two ways reach the same form:
//
//	raw      "吉安市匯駿實業有限責任公司（江西）南昌分公司"
//	fold     full-width → ASCII (textnorm), lower case
//	t2s      traditional → simplified (OpenCC t2s, github.com/longbridgeapp/opencc)
//	brackets a bracketed legal form "（有限合伙）" or region "（江西）" becomes
//	         that feature; other bracketed text stays in the name
//	branch   a trailing 分公司 / 营业部 / 分店 / 分行 / 支行 / 办事处 … marks a
//	         branch; what stands after the parent's legal form is the
//	         branch's place; Parent is the name before it
//	form     the legal-form suffix (有限公司, 有限责任公司, 股份有限公司,
//	         集团有限公司, Co., Ltd. …) is split off as its own feature
//	region   leading province / city / county names (江西省吉安市, 吉安市,
//	         吉安) are split off and kept as division codes
//	core     what is left, with punctuation and spaces dropped

// t2s converts traditional to simplified characters. It is built on first
// use (the dictionaries are embedded in the opencc module, so this works
// offline); if it cannot be built, names are compared without conversion
// and T2SAvailable reports false.
var t2s = sync.OnceValue(func() *opencc.OpenCC {
	c, err := opencc.New("t2s")
	if err != nil {
		return nil
	}
	return c
})

// T2SAvailable reports whether traditional → simplified conversion works.
func T2SAvailable() bool { return t2s() != nil }

// t2sRunes is the set of runes t2s may change: every rune of a dictionary
// entry whose conversion differs from it at that rune's position (all its
// runes when the lengths differ). A string holding none of them converts
// to itself, since every entry that could match in it maps to itself; most
// simplified names are such strings, and checking them rune by rune is
// far cheaper than converting. Nil when the dictionaries cannot be read
// (then every string is converted).
var t2sRunes = sync.OnceValue(func() *runeSet {
	c := t2s()
	if c == nil {
		return nil
	}
	set := &runeSet{}
	for _, g := range c.DictChains {
		for _, d := range g.Dicts {
			if d == nil || d.Trie == nil {
				return nil
			}
			for _, id := range d.Trie.PrefixPredict(nil, 0) {
				k, err := d.Trie.Key(id)
				if err != nil {
					return nil
				}
				v, err := d.Trie.Value(id)
				if err != nil || v < 0 || v >= len(d.Values) || len(d.Values[v]) == 0 {
					return nil
				}
				kr, vr := []rune(string(k)), []rune(d.Values[v][0])
				for i, r := range kr {
					if len(kr) != len(vr) || vr[i] != r {
						if !set.add(r) {
							return nil
						}
					}
				}
			}
		}
	}
	return set
})

// runeSet is a bitmap of runes below maxSetRune.
type runeSet [maxSetRune / 64]uint64

const maxSetRune = 0x40000

// add puts r in the set; false when r is out of its range.
func (s *runeSet) add(r rune) bool {
	if r < 0 || r >= maxSetRune {
		return false
	}
	s[r/64] |= 1 << (r % 64)
	return true
}

func (s *runeSet) has(r rune) bool { return r >= 0 && r < maxSetRune && s[r/64]&(1<<(r%64)) != 0 }

// Simplify folds full-width forms, lower-cases, and converts traditional
// characters to simplified ones.
func Simplify(s string) string {
	s = strings.ToLower(textnorm.Clean(s))
	if !mayConvert(s) {
		return s
	}
	if c := t2s(); c != nil {
		if out, err := c.Convert(s); err == nil {
			return out
		}
	}
	return s
}

// mayConvert reports whether t2s could change s: it holds Han characters
// and, when the converter's dictionaries could be read, one of the runes
// they change.
func mayConvert(s string) bool {
	set := t2sRunes()
	han := false
	for _, r := range s {
		if set != nil && set.has(r) {
			return true
		}
		han = han || unicode.Is(unicode.Han, r)
	}
	return han && set == nil
}

// LegalForm is the class of an enterprise's legal-form suffix. Spellings
// of one form (有限公司 and 有限责任公司; Co., Ltd. and Limited) share a class.
type LegalForm uint8

// Legal-form classes.
const (
	FormNone        LegalForm = iota // no recognised suffix
	FormLimited                      // 有限公司, 有限责任公司, Co., Ltd., Limited, LLC
	FormStock                        // 股份有限公司, 股份公司, joint stock
	FormGroup                        // 集团有限公司, 集团股份有限公司, 集团公司, Group Co., Ltd.
	FormPartnership                  // 有限合伙, 普通合伙, 合伙企业
	FormCooperative                  // 专业合作社, 合作社
	FormCompany                      // 公司 alone, Inc., Corp.
)

var formNames = [...]string{"", "limited", "stock", "group", "partnership", "cooperative", "company"}

// String names the class ("limited", "stock", …; "" for none).
func (f LegalForm) String() string { return formNames[f] }

// Compare scores two legal forms: 1 for one class, 0.5 for two kinds of
// company (limited, stock, group, company), 0 otherwise.
func (f LegalForm) Compare(o LegalForm) float64 {
	switch {
	case f == o:
		return 1
	case f.company() && o.company():
		return 0.5
	}
	return 0
}

func (f LegalForm) company() bool {
	return f == FormLimited || f == FormStock || f == FormGroup || f == FormCompany
}

// legalSuffixes are tried longest first on the end of a folded name whose
// punctuation is removed; English forms are lower case without spaces or dots.
var legalSuffixes = []struct {
	s    string
	form LegalForm
}{
	{"集团股份有限公司", FormGroup}, {"集团有限责任公司", FormGroup}, {"集团有限公司", FormGroup},
	{"股份有限公司", FormStock}, {"有限责任公司", FormLimited}, {"集团公司", FormGroup},
	{"股份公司", FormStock}, {"有限公司", FormLimited},
	{"专业合作社", FormCooperative}, {"合作社", FormCooperative},
	{"有限合伙", FormPartnership}, {"普通合伙", FormPartnership}, {"合伙企业", FormPartnership},
	{"groupcompanylimited", FormGroup}, {"groupcoltd", FormGroup}, {"grouplimited", FormGroup}, {"groupltd", FormGroup},
	{"jointstockcompany", FormStock}, {"companylimited", FormLimited}, {"colimited", FormLimited},
	{"coltd", FormLimited}, {"pteltd", FormLimited}, {"limited", FormLimited}, {"ltd", FormLimited}, {"llc", FormLimited},
	{"corporation", FormCompany}, {"corp", FormCompany}, {"inc", FormCompany}, {"公司", FormCompany},
}

// branchSuffixes mark a branch (分支机构) at the end of a name.
var branchSuffixes = []string{"分公司", "营业部", "分店", "分厂", "分行", "支行", "办事处", "分部", "分社", "分所", "branch"}

// Name is the normal form of an enterprise name.
//
// A name has one or two readings. The first (Core, Regions) splits every
// leading region name off. When the last name split off is a short one
// (东方, 新安, 海丰: no 市/县/省 ending), it may as well be the start of
// the trade name (东方红科技 is rarely 东方市's 红科技), so a second reading
// (Alt, AltRegions) keeps it in the core: in 东方红科技有限公司 the first
// reading is core 红科技 in 东方市, the second core 东方红科技 with no region.
// A region counts as a feature (or a contradiction) only in the reading
// that split it off; the scorer compares every pair of readings and keeps
// the best.
type Name struct {
	Core    string    // the distinguishing part: trade name and industry words
	Form    LegalForm // legal-form class of the (parent's) suffix
	Regions []string  // division codes named by the region prefix or brackets, most precise first; nil when none
	// Alt is the core of the second reading: Core with the last region
	// name split off put back ("" when there is no second reading).
	Alt string
	// AltRegions are the regions of the second reading: those named before
	// the word put back, and bracketed ones.
	AltRegions []string
	Branch     bool   // the name ends in a branch suffix
	Place      string // a branch's place ("湘西" in …有限公司湘西分公司); "" otherwise
	Parent     string // for a branch, the simplified parent name; "" otherwise
}

// readings returns the name's readings: (Core, Regions), then (Alt,
// AltRegions) when there is a second one.
func (n *Name) readings() int {
	if n.Alt != "" {
		return 2
	}
	return 1
}

// reading returns reading i (0 or 1) of the name.
func (n *Name) reading(i int) (string, []string) {
	if i == 1 {
		return n.Alt, n.AltRegions
	}
	return n.Core, n.Regions
}

// NormalizeName computes the normal form of an enterprise name.
func NormalizeName(raw string) Name {
	s := Simplify(raw)
	var n Name
	// Bracketed parts: a legal form or a region becomes that feature.
	s = n.takeBrackets(s)
	s = keep(s)
	// Branch suffix.
	for _, suf := range branchSuffixes {
		if rest, ok := strings.CutSuffix(s, suf); ok && utf8.RuneCountInString(rest) >= 2 {
			n.Branch = true
			s = rest
			break
		}
	}
	if n.Branch {
		// The parent ends at its last legal form; what follows is the place.
		best, bestLen := -1, 0
		for _, ls := range legalSuffixes {
			if i := strings.LastIndex(s, ls.s); i > best || (i == best && i >= 0 && len(ls.s) > bestLen) {
				best, bestLen = i, len(ls.s)
			}
		}
		if best > 0 {
			n.Place = s[best+bestLen:]
			s = s[:best+bestLen]
		}
		n.Parent = s
	}
	// Legal form.
	for _, ls := range legalSuffixes {
		if rest, ok := strings.CutSuffix(s, ls.s); ok && utf8.RuneCountInString(rest) >= 2 {
			if n.Form == FormNone || n.Form == FormCompany {
				n.Form = ls.form
			}
			s = rest
			break
		}
	}
	// Region prefix, and the second reading when the last region name
	// taken was a short one.
	sp := splitRegionBy(regionNames(), s)
	bracketed := n.Regions
	n.Regions = sp.codes // may be the region table's own slice: never appended to in place
	if len(bracketed) > 0 {
		n.Regions = slices.Concat(sp.codes, bracketed)
	}
	n.Core = sp.rest
	if sp.lastShort != "" {
		n.Alt = sp.lastShort + sp.rest
		if len(sp.outer) > 0 || len(bracketed) > 0 {
			n.AltRegions = append(append([]string(nil), sp.outer...), bracketed...)
		}
	}
	return n
}

// takeBrackets removes bracketed legal forms and regions from s, recording
// them, and returns s with the remaining brackets' contents kept inline.
func (n *Name) takeBrackets(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexAny(s, "(（[【")
		if i < 0 {
			break
		}
		_, w := utf8.DecodeRuneInString(s[i:])
		j := strings.IndexAny(s[i+w:], ")）]】")
		if j < 0 {
			break
		}
		inner := keep(s[i+w : i+w+j])
		_, w2 := utf8.DecodeRuneInString(s[i+w+j:])
		b.WriteString(s[:i])
		s = s[i+w+j+w2:]
		if f := formOf(inner); f != FormNone {
			n.Form = f
			continue
		}
		if codes := ParseRegion(inner); len(codes) > 0 {
			n.Regions = append(n.Regions, codes...)
			continue
		}
		b.WriteString(inner)
	}
	b.WriteString(s)
	return b.String()
}

func formOf(s string) LegalForm {
	for _, ls := range legalSuffixes {
		if s == ls.s {
			return ls.form
		}
	}
	return FormNone
}

// keep drops everything but letters and digits.
func keep(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, s)
}

// --- regions ---

// regionNames maps a region name, full ("江西省", "吉安市") and short
// ("江西", "吉安"), to the division codes it may stand for.
var regionNames = sync.OnceValue(func() map[string][]string { return regionTable(true) })

// fullRegionNames maps only full region names (江西省, 吉安市) to codes: an
// address is split on these alone, since a street or building may begin
// like a short name (井冈山大道 is no 井冈山市).
var fullRegionNames = sync.OnceValue(func() map[string][]string { return regionTable(false) })

func regionTable(short bool) map[string][]string {
	m := map[string][]string{}
	add := func(name, code string) {
		if utf8.RuneCountInString(name) < 2 {
			return
		}
		for _, c := range m[name] {
			if c == code {
				return
			}
		}
		m[name] = append(m[name], code)
	}
	for lvl := models.RegionProvince; lvl <= models.RegionCounty; lvl++ {
		for _, code := range models.RegionCodes(lvl) {
			r := models.LookupRegion(code)
			name := r.Name()
			add(name, code)
			if short {
				add(shortRegion(name), code)
			}
		}
	}
	return m
}

// regionTails are the endings a short region name drops, longest first.
var regionTails = []string{"维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "自治州", "自治县", "地区", "省", "市", "区", "县", "盟", "旗"}

// shortRegion drops a region name's administrative ending: 江西省 → 江西,
// 吉安市 → 吉安, 湘西土家族苗族自治州 → 湘西土家族苗族 (and 湘西 is not a
// table name, but rarely needed). Names that would become one character
// keep their ending.
func shortRegion(name string) string {
	for _, t := range regionTails {
		if rest, ok := strings.CutSuffix(name, t); ok && utf8.RuneCountInString(rest) >= 2 {
			return rest
		}
	}
	return name
}

// maxRegionRunes bounds the length of a region name tried at a position.
const maxRegionRunes = 12

// regionSplit is the result of taking leading region names off a string.
type regionSplit struct {
	codes []string // the most precise codes named (all candidates of an ambiguous short name)
	rest  string   // what remains
	// lastShort is the last name taken when it is a short name (no
	// administrative ending: 东方, not 东方市), "" otherwise; outer are the
	// codes named before it.
	lastShort string
	outer     []string
}

// splitRegion takes leading region names off s (province, city, county,
// each optional, each full or short) while at least two characters remain,
// and returns the most precise codes named (all candidates of an ambiguous
// short name) and the rest. Each name taken must lie inside the ones before.
func splitRegion(s string) ([]string, string) {
	sp := splitRegionBy(regionNames(), s)
	return sp.codes, sp.rest
}

// splitRegionBy is splitRegion with a given name table.
func splitRegionBy(names map[string][]string, s string) regionSplit {
	var sp regionSplit
	sp.rest = s
	full := fullRegionNames()
	for range 3 {
		// Byte offsets of the first runes of the rest (no copies: the
		// prefixes tried are substrings).
		var offs [maxRegionRunes + 3]int
		n := 0
		for k := range sp.rest {
			if n == len(offs) {
				break
			}
			offs[n] = k
			n++
		}
		at := func(l int) int { // byte offset of rune l
			if l < n {
				return offs[l]
			}
			return len(sp.rest)
		}
		var next []string
		taken := 0
		for l := min(n-2, maxRegionRunes); l >= 2; l-- {
			cs := names[sp.rest[:at(l)]]
			cs = outermost(within(cs, sp.codes))
			if len(cs) > 0 {
				next, taken = cs, l
				break
			}
		}
		if taken == 0 {
			break
		}
		word := sp.rest[:at(taken)]
		sp.lastShort, sp.outer = "", nil
		if _, isFull := full[word]; !isFull {
			// The outer names' codes that hold the word's (海南 is a
			// province and a district; before 东方 only the province).
			sp.lastShort, sp.outer = word, nil
			for _, o := range sp.codes {
				if len(within(next, []string{o})) > 0 {
					sp.outer = append(sp.outer, o)
				}
			}
		}
		sp.codes = next
		sp.rest = sp.rest[at(taken):]
	}
	return sp
}

// within keeps the codes of cs that lie inside one of outer (all of cs when
// outer is empty).
func within(cs, outer []string) []string {
	if len(outer) == 0 {
		return cs
	}
	var out []string
	for _, c := range cs {
		for _, o := range outer {
			if strings.HasPrefix(c, regionPrefix(o)) && c != o {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

// outermost drops the codes of cs that lie inside another of them: 吉安
// names both 吉安市 (360800) and its 吉安县 (360821); it stands for the city.
func outermost(cs []string) []string {
	if len(cs) < 2 {
		return cs
	}
	var out []string
	for _, c := range cs {
		inner := false
		for _, o := range cs {
			if o != c && strings.HasPrefix(c, regionPrefix(o)) {
				inner = true
				break
			}
		}
		if !inner {
			out = append(out, c)
		}
	}
	return out
}

// regionPrefix is the significant part of a division code: 2 digits for a
// province (xx0000), 4 for a city (xxxx00), all 6 for a county.
func regionPrefix(code string) string {
	switch {
	case len(code) != 6:
		return code
	case code[2:] == "0000":
		return code[:2]
	case code[4:] == "00":
		return code[:4]
	}
	return code
}

// RegionAgrees scores a set of named region codes against an enterprise's
// division code: 1 when one of them contains it or lies inside it, 0 when
// none does, -1 when either side is unknown.
func RegionAgrees(named []string, code string) float64 {
	if len(named) == 0 || len(code) != 6 {
		return -1
	}
	if regionsOverlap(named, []string{code}) {
		return 1
	}
	return 0
}

// ParseRegion reads a query's region field: a 6-digit division code or
// names (江西省吉安市, 吉安). It returns nil when it recognises nothing.
func ParseRegion(s string) []string {
	s = keep(Simplify(s))
	if len(s) == 6 && strings.Trim(s, "0123456789") == "" {
		return []string{s}
	}
	if cs := outermost(regionNames()[s]); len(cs) > 0 {
		return cs
	}
	codes, rest := splitRegion(s + "xx") // splitRegion keeps two characters
	if rest == "xx" {
		return codes
	}
	return nil
}
