package mapping

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"riskgraph/textnorm"
)

// ValueError is why a transform refused a value: the reason and what to
// change in the source.
type ValueError struct {
	Reason string
	Fix    string
}

func (e *ValueError) Error() string { return e.Reason }

func bad(reason, fix string) error { return &ValueError{Reason: reason, Fix: fix} }

// fold turns full-width ASCII (digits, letters, ％, ．) into ASCII and the
// ideographic space into a space, then trims.
func fold(s string) string { return textnorm.Trim(textnorm.FoldString(s)) }

// formatNumber writes f without exponent noise (0.355, 1000000).
func formatNumber(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// parsePlain parses a decimal with optional thousands separators.
var plainNumber = regexp.MustCompile(`^[+-]?([0-9]{1,3}(,[0-9]{3})+|[0-9]+)?(\.[0-9]+)?$`)

func parsePlain(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" || s == "+" || s == "-" || s == "." || !plainNumber.MatchString(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// Percent reads a share given in percent: "35.5%", "35.5" (percent points)
// and "35.5％" all give "0.355". Empty stays empty.
func Percent(s string) (string, error) {
	s = fold(s)
	if s == "" {
		return "", nil
	}
	num := strings.TrimSpace(strings.TrimSuffix(s, "%"))
	f, ok := parsePlain(num)
	if !ok {
		return "", bad("is not a percentage", "write a number of percent such as 35.5% or 35.5")
	}
	return formatNumber(round(f/100, 12)), nil
}

// Fraction reads a share written either way: "35.5%" gives "0.355", "0.355"
// stays, "1/3" gives "0.333333333333". A bare number is a fraction of 1, so
// "35.5" stays 35.5 (and fails the ratio check); use Percent for a column of
// percent points.
func Fraction(s string) (string, error) {
	s = fold(s)
	if s == "" {
		return "", nil
	}
	if strings.HasSuffix(s, "%") {
		return Percent(s)
	}
	if a, b, ok := strings.Cut(s, "/"); ok {
		x, ok1 := parsePlain(a)
		y, ok2 := parsePlain(b)
		if !ok1 || !ok2 || y == 0 {
			return "", bad("is not a fraction", "write a fraction such as 1/3, a decimal such as 0.25 or a percentage such as 25%")
		}
		return formatNumber(round(x/y, 12)), nil
	}
	f, ok := parsePlain(s)
	if !ok {
		return "", bad("is not a number, fraction or percentage", "write 0.25, 1/4 or 25%")
	}
	return formatNumber(f), nil
}

func round(f float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(f*p) / p
}

// Money units, by the characters that name them.
var moneyUnits = []struct {
	suffix string
	factor float64
}{
	{"亿元", 1e8}, {"亿", 1e8}, {"万元", 1e4}, {"万", 1e4}, {"千元", 1e3}, {"元", 1},
}

// currencyWords maps currency names in amounts to ISO 4217 codes.
var currencyWords = []struct{ word, code string }{
	{"人民币", "CNY"}, {"美元", "USD"}, {"港元", "HKD"}, {"港币", "HKD"}, {"欧元", "EUR"},
	{"日元", "JPY"}, {"英镑", "GBP"}, {"新台币", "TWD"}, {"澳门元", "MOP"}, {"新加坡元", "SGD"},
}

// Money reads an amount with an optional unit and returns yuan (or units
// of the amount's currency): "100万元" and "100万" give "1000000",
// "1.5亿" gives "150000000", "1,234.5" gives "1234.5", "50万美元" gives
// "500000" (the currency goes to the currency field through Currency).
// unit is the unit of bare numbers ("元" when empty; "万元" for columns such
// as 注册资本(万元)).
func Money(s, unit string) (string, error) {
	s = fold(s)
	if s == "" {
		return "", nil
	}
	factor := 1.0
	if unit != "" {
		f, ok := unitFactor(unit)
		if !ok {
			return "", bad(fmt.Sprintf("unit %q is not known", unit), "use 元, 千元, 万元 or 亿元")
		}
		factor = f
	}
	for _, c := range currencyWords {
		s = strings.ReplaceAll(s, c.word, "")
	}
	s = strings.TrimSpace(strings.Trim(strings.TrimSpace(s), "()（）"))
	for _, u := range moneyUnits {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			s, factor = strings.TrimSpace(rest), u.factor
			break
		}
	}
	f, ok := parsePlain(s)
	if !ok {
		return "", bad("is not an amount", "write a number with an optional unit, e.g. 1000000, 100万元 or 1.5亿元")
	}
	return formatNumber(round(f*factor, 4)), nil
}

func unitFactor(unit string) (float64, bool) {
	u := fold(unit)
	for _, m := range moneyUnits {
		if u == m.suffix {
			return m.factor, true
		}
	}
	return 0, false
}

// Currency returns the ISO 4217 code named in an amount ("50万美元" →
// "USD", "100万元人民币" → "CNY"), an ISO code given as such, or "" when the
// text names none.
func Currency(s string) (string, error) {
	s = fold(s)
	for _, c := range currencyWords {
		if strings.Contains(s, c.word) {
			return c.code, nil
		}
	}
	if isoCurrency.MatchString(s) {
		return strings.ToUpper(s), nil
	}
	return "", nil
}

var isoCurrency = regexp.MustCompile(`^[A-Za-z]{3}$`)

var dateForms = []*regexp.Regexp{
	regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$`),
	regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})$`),
}

// timeSuffix is a time of day after a date ("2019-03-05 00:00:00", "…T08:00:00Z").
var timeSuffix = regexp.MustCompile(`[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$`)

// Date reads the common Chinese date forms and returns YYYY-MM-DD:
// 2019年3月5日, 2019/3/5, 2019.3.5, 2019-3-5, 20190305, each optionally
// followed by a time of day.
func Date(s string) (string, error) {
	s = fold(s)
	if s == "" {
		return "", nil
	}
	s = strings.TrimSpace(timeSuffix.ReplaceAllString(s, ""))
	for _, re := range dateForms {
		m := re.FindStringSubmatch(s)
		if m == nil {
			continue
		}
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		d, _ := strconv.Atoi(m[3])
		t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
		if t.Year() != y || int(t.Month()) != mo || t.Day() != d {
			return "", bad("is not a calendar date", "check the month and day")
		}
		return t.Format(time.DateOnly), nil
	}
	return "", bad("is not a date in a known form", "write 2019-03-05, 2019/3/5, 2019年3月5日 or 20190305")
}

// vocabulary is a built-in value transform: exact words first, then
// substrings in order (so 吊销，未注销 is revoked, not cancelled).
type vocabulary struct {
	exact    map[string]string
	contains [][2]string
	allowed  []string // canonical values, accepted as they are
	fix      string
	fn       func(string) (string, error) // a transform of its own (title)
}

func (v *vocabulary) apply(s string) (string, error) {
	if v.fn != nil {
		return v.fn(s)
	}
	s = fold(s)
	if s == "" {
		return "", nil
	}
	l := strings.ToLower(s)
	for _, a := range v.allowed {
		if l == a {
			return a, nil
		}
	}
	if out, ok := v.exact[s]; ok {
		return out, nil
	}
	for _, c := range v.contains {
		if strings.Contains(s, c[0]) {
			return c[1], nil
		}
	}
	return "", bad("is not a known value", v.fix)
}

var vocabularies = map[string]*vocabulary{
	"status": {
		contains: [][2]string{{"吊销", "revoked"}, {"注销", "cancelled"}, {"迁出", "moved_out"}, {"存续", "active"},
			{"在业", "active"}, {"开业", "active"}, {"在营", "active"}, {"正常", "active"}, {"登记成立", "active"},
			{"撤销", "cancelled"}, {"停业", "unknown"}, {"歇业", "unknown"}, {"清算", "unknown"}},
		allowed: []string{"active", "revoked", "cancelled", "moved_out", "unknown"},
		fix:     "use a status word (存续, 在业, 开业, 吊销, 注销, 迁出) or add the word under values: in the mapping",
	},
	"enterprise_kind": {
		contains: [][2]string{{"分公司", "branch"}, {"分支机构", "branch"}, {"个体", "individual_business"},
			{"农民专业合作社", "farmers_cooperative"}, {"合作社", "farmers_cooperative"}, {"个人独资", "sole_proprietorship"},
			{"合伙", "partnership"}, {"外国", "foreign"}, {"境外", "foreign"}, {"有限责任公司", "company"},
			{"股份有限公司", "company"}, {"有限公司", "company"}, {"公司", "company"}},
		allowed: []string{"company", "partnership", "sole_proprietorship", "individual_business", "farmers_cooperative", "branch", "foreign", "other"},
		fix:     "use a legal form word (有限责任公司, 合伙企业, 个人独资企业, 个体工商户, 农民专业合作社, 分公司) or add it under values:",
	},
	"title": {
		fn:      func(s string) (string, error) { return Title(s, nil) },
		allowed: OfficerTitles,
		fix:     titleFix,
	},
	"record_kind": {
		contains: [][2]string{{"严重违法", "serious_violation"}, {"经营异常", "abnormal_operations"}, {"失信被执行", "dishonest_debtor"},
			{"黑名单", "blacklist"}, {"税收违法", "tax_violation"}, {"行政处罚", "administrative_penalty"}, {"处罚", "administrative_penalty"}},
		allowed: []string{"administrative_penalty", "abnormal_operations", "serious_violation", "blacklist", "dishonest_debtor", "tax_violation"},
		fix:     "use a list name (行政处罚, 经营异常名录, 严重违法失信名单, 黑名单, 失信被执行人, 重大税收违法) or add it under values:",
	},
	"holder_kind": {
		contains: [][2]string{{"自然人", "person"}, {"个人", "person"}, {"法人", "enterprise"}, {"企业", "enterprise"},
			{"公司", "enterprise"}, {"机构", "enterprise"}, {"合伙", "enterprise"}, {"组织", "enterprise"}},
		allowed: []string{"person", "enterprise"},
		fix:     "use 自然人 for persons and 企业法人 (or 法人, 企业, 机构) for enterprises, or add the word under values:",
	},
}

// Builtin names the built-in vocabulary transforms (besides the value
// transforms percent, fraction, money, currency and date).
func Builtin() []string {
	return []string{"status", "enterprise_kind", "title", "record_kind", "holder_kind"}
}

// ErrUnknownTransform is returned for a transform name that does not exist.
var ErrUnknownTransform = errors.New("unknown transform")

// OfficerTitles are the canonical officer titles (data-format.md).
var OfficerTitles = []string{"chairman", "vice_chairman", "executive_director", "director", "independent_director",
	"chief_supervisor", "supervisor", "general_manager", "deputy_general_manager", "manager", "cfo",
	"board_secretary", "executive_partner", "branch_head", "other"}

// TitleWords is the table of free-text officer titles: the words of
// registration exports and annual reports (and their English forms, matched
// ignoring case) and the canonical title each means. docs/ingest.md lists
// it; a mapping adds or overrides words under values: of a title column.
var TitleWords = map[string]string{
	"董事长": "chairman", "董事局主席": "chairman", "董事会主席": "chairman", "chairman": "chairman", "chair": "chairman",
	"副董事长": "vice_chairman", "vice chairman": "vice_chairman",
	"执行董事": "executive_director", "executive director": "executive_director",
	"董事": "director", "外部董事": "director", "职工董事": "director", "职工代表董事": "director", "director": "director",
	"独立董事": "independent_director", "独董": "independent_director", "independent director": "independent_director",
	"监事会主席": "chief_supervisor", "监事长": "chief_supervisor", "chief supervisor": "chief_supervisor",
	"监事": "supervisor", "职工监事": "supervisor", "职工代表监事": "supervisor", "外部监事": "supervisor", "supervisor": "supervisor",
	"总经理": "general_manager", "总裁": "general_manager", "首席执行官": "general_manager", "ceo": "general_manager",
	"general manager": "general_manager", "president": "general_manager",
	"副总经理": "deputy_general_manager", "常务副总经理": "deputy_general_manager", "副总裁": "deputy_general_manager",
	"deputy general manager": "deputy_general_manager", "vice president": "deputy_general_manager",
	"经理": "manager", "厂长": "manager", "manager": "manager",
	"财务负责人": "cfo", "财务总监": "cfo", "总会计师": "cfo", "首席财务官": "cfo", "cfo": "cfo", "chief financial officer": "cfo",
	"董事会秘书": "board_secretary", "董秘": "board_secretary", "board secretary": "board_secretary", "secretary of the board": "board_secretary",
	"执行事务合伙人": "executive_partner", "执行事务合伙人委派代表": "executive_partner", "managing partner": "executive_partner",
	"负责人": "branch_head", "分公司负责人": "branch_head", "分支机构负责人": "branch_head",
	"其他": "other", "其他人员": "other",
}

// titleContains are the words looked for inside a title the table does not
// hold (常务副总经理, 第一副总裁), in order: the more specific first.
var titleContains = [][2]string{
	{"副董事长", "vice_chairman"}, {"董事长", "chairman"}, {"独立董事", "independent_director"}, {"执行董事", "executive_director"},
	{"监事会主席", "chief_supervisor"}, {"监事", "supervisor"}, {"董事会秘书", "board_secretary"}, {"董事", "director"},
	{"副总经理", "deputy_general_manager"}, {"副总裁", "deputy_general_manager"}, {"总经理", "general_manager"},
	{"总裁", "general_manager"}, {"财务", "cfo"}, {"合伙人", "executive_partner"}, {"经理", "manager"}, {"负责人", "branch_head"},
}

// titleSeparators split a compound title (执行董事兼总经理, 董事、总经理,
// Director/CEO); its first part gives the canonical title.
var titleSeparators = []string{"兼任", "兼", "、", "/", "／", ",", "，", ";", "；", "&", "及", " and "}

const titleFix = "use a title (董事长, 董事, 监事, 总经理, 经理, 财务负责人 …; see docs/ingest.md) or add the word under values: in the mapping"

// Title maps a free-text officer title to a canonical one: the text itself
// when it is a canonical title, else extra (a mapping's values:), else
// TitleWords, else — for a compound title — the same lookups on its first
// part, else the first word of titleContains found in it. The source text
// is not kept here; the loader keeps it (docs/ingest.md).
func Title(s string, extra map[string]string) (string, error) {
	f := fold(s)
	if f == "" {
		return "", nil
	}
	if out, ok := lookupTitle(f, extra); ok {
		return out, nil
	}
	first := f
	for _, sep := range titleSeparators {
		if i := strings.Index(strings.ToLower(first), sep); i > 0 {
			first = strings.TrimSpace(first[:i])
		}
	}
	if first != f {
		if out, ok := lookupTitle(first, extra); ok {
			return out, nil
		}
	}
	for _, c := range titleContains {
		if strings.Contains(first, c[0]) {
			return c[1], nil
		}
	}
	return "", bad("is not a known title", titleFix)
}

func lookupTitle(s string, extra map[string]string) (string, bool) {
	if out, ok := extra[s]; ok {
		return out, true
	}
	l := strings.Join(strings.Fields(strings.ToLower(s)), " ")
	if slices.Contains(OfficerTitles, l) {
		return l, true
	}
	out, ok := TitleWords[l]
	return out, ok
}
