package match

import (
	"slices"
	"strings"
	"testing"

	"riskgraph/textnorm"
)

func TestNormalizeName(t *testing.T) {
	if !T2SAvailable() {
		t.Fatal("OpenCC t2s could not be built")
	}
	for _, c := range []struct {
		class, in string
		core      string
		form      LegalForm
		regions   []string // nil: none expected
		branch    bool
		place     string
	}{
		{"plain", "吉安汇骏实业有限公司", "汇骏实业", FormLimited, []string{"360800"}, false, ""},
		{"region full", "江西省吉安市汇骏实业有限公司", "汇骏实业", FormLimited, []string{"360800"}, false, ""},
		{"region short", "吉安汇骏实业有限公司", "汇骏实业", FormLimited, []string{"360800"}, false, ""},
		{"province only", "江西汇骏实业有限公司", "汇骏实业", FormLimited, []string{"360000"}, false, ""},
		{"county after city", "西安市碑林区大易阳便利店", "大易阳便利店", FormNone, []string{"610103"}, false, ""},
		{"no region", "汇骏实业有限公司", "汇骏实业", FormLimited, nil, false, ""},
		{"llc spelling", "吉安市汇骏实业有限责任公司", "汇骏实业", FormLimited, []string{"360800"}, false, ""},
		{"stock", "吉安市汇骏实业股份有限公司", "汇骏实业", FormStock, []string{"360800"}, false, ""},
		{"group", "绵阳市鸿森实业集团有限公司", "鸿森实业", FormGroup, []string{"510700"}, false, ""},
		{"full width", "吉安市ＡＢＣ汇骏实业有限公司　", "abc汇骏实业", FormLimited, []string{"360800"}, false, ""},
		{"traditional", "吉安市匯駿實業有限責任公司", "汇骏实业", FormLimited, []string{"360800"}, false, ""},
		{"bracket region", "恒赢（北京）供应链管理有限公司", "恒赢供应链管理", FormLimited, []string{"110000"}, false, ""},
		{"bracket region half width", "恒赢(北京)供应链管理有限公司", "恒赢供应链管理", FormLimited, []string{"110000"}, false, ""},
		{"bracket legal form", "榆林市发启启投资合伙企业（有限合伙）", "发启启投资", FormPartnership, []string{"610800"}, false, ""},
		{"punctuation", "吉安市·汇骏-实业 有限公司。", "汇骏实业", FormLimited, []string{"360800"}, false, ""},
		{"english", "Acme Trading Co., Ltd.", "acmetrading", FormLimited, nil, false, ""},
		{"english limited", "ACME TRADING LIMITED", "acmetrading", FormLimited, nil, false, ""},
		{"english group", "Acme Group Co., Ltd.", "acme", FormGroup, nil, false, ""},
		{"branch", "伊春市润旺汇环保科技有限公司湘西分公司", "润旺汇环保科技", FormLimited, []string{"230700"}, true, "湘西"},
		{"branch sales dept", "吉安市汇骏实业有限公司井冈山营业部", "汇骏实业", FormLimited, []string{"360800"}, true, "井冈山"},
		{"branch shop", "吉安市汇骏餐饮有限公司第一分店", "汇骏餐饮", FormLimited, []string{"360800"}, true, "第一"},
		{"branch without place", "吉安市汇骏实业有限公司分公司", "汇骏实业", FormLimited, []string{"360800"}, true, ""},
	} {
		n := NormalizeName(c.in)
		if n.Core != c.core || n.Form != c.form || n.Branch != c.branch || n.Place != c.place || !slices.Equal(n.Regions, c.regions) {
			t.Errorf("%s: NormalizeName(%q) = %+v, want core %q form %v regions %v branch %v place %q",
				c.class, c.in, n, c.core, c.form, c.regions, c.branch, c.place)
		}
	}
	if p := NormalizeName("伊春市润旺汇环保科技有限公司湘西分公司").Parent; p != "伊春市润旺汇环保科技有限公司" {
		t.Errorf("parent = %q", p)
	}
}

func TestLegalFormCompare(t *testing.T) {
	for _, c := range []struct {
		a, b LegalForm
		want float64
	}{
		{FormLimited, FormLimited, 1}, {FormLimited, FormStock, 0.5}, {FormGroup, FormCompany, 0.5},
		{FormLimited, FormPartnership, 0}, {FormCooperative, FormStock, 0},
	} {
		if got := c.a.Compare(c.b); got != c.want {
			t.Errorf("%v vs %v = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestNormalizeAddress(t *testing.T) {
	base := NormalizeAddress("江西省吉安市吉州区井冈山大道88号3栋502室")
	if base.Rest != "井冈山大道88号3栋502" || !slices.Equal(base.Regions, []string{"360802"}) {
		t.Fatalf("base = %+v", base)
	}
	for _, c := range []struct {
		class, in string
		want      float64
	}{
		{"city and county only", "吉安市吉州区井冈山大道88号3栋502室", 1},
		{"no region", "井冈山大道88号3栋502室", 1},
		{"号楼", "吉州区井冈山大道88号3号楼502室", 1},
		{"幢 and 房", "江西省吉安市吉州区井冈山大道８８号３幢５０２房", 1},
		{"no room word", "吉安市吉州区井冈山大道88号3栋502", 1},
		{"traditional", "江西省吉安市吉州區井岡山大道88號3棟502室", 1},
		{"other room", "吉安市吉州区井冈山大道88号3栋503室", 0.5},
		{"other county", "江西省吉安市青原区井冈山大道88号3栋502室", 0},
	} {
		got := CompareAddress(base, NormalizeAddress(c.in))
		if c.want == 0.5 {
			if got <= 0.5 || got >= 1 {
				t.Errorf("%s: %q scores %v, want in (0.5, 1)", c.class, c.in, got)
			}
			continue
		}
		if got != c.want {
			t.Errorf("%s: %q scores %v, want %v (%+v)", c.class, c.in, got, c.want, NormalizeAddress(c.in))
		}
	}
}

func TestNormalizePhone(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"13800138000", "13800138000"},
		{"+86 138-0013-8000", "13800138000"},
		{"0086 13800138000", "13800138000"},
		{"86 13800138000", "13800138000"},
		{"0571-80738225", "057180738225"},
		{"(0571) 8073 8225", "057180738225"},
		{"+86 571 8073 8225", "057180738225"},
		{"８６－５７１－８０７３８２２５", "057180738225"},
		{"010-12345678", "01012345678"},
		{"80738225", "80738225"},
		{"12345", ""},
	} {
		if got := NormalizePhone(c.in); got != c.want {
			t.Errorf("NormalizePhone(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if v := ComparePhone(NormalizePhone("8073-8225"), NormalizePhone("0571-80738225")); v != 0.8 {
		t.Errorf("landline without area code: %v, want 0.8", v)
	}
	if v := ComparePhone(NormalizePhone("13800138000"), NormalizePhone("13800138001")); v != 0 {
		t.Errorf("different mobiles: %v", v)
	}
}

func TestCodes(t *testing.T) {
	for _, c := range []struct{ fn, in, want string }{
		{"uscc", "91110106020994209F", "91110106020994209F"},
		{"uscc", "９１１１０１０６０２０９９４２０９ｆ", "91110106020994209F"},
		{"uscc", "91110106020994209X", ""}, // wrong check character
		{"org", "02099420-9", "020994209"},
		{"org", "02099420", ""},
		{"org", "0209942０9", "020994209"},
		{"reg", "110108012345678", "110108012345678"},
		{"reg", "11010801234567", ""},
		{"reg", "11010801234567A", ""},
	} {
		var got string
		switch c.fn {
		case "uscc":
			got = NormalizeUSCC(c.in)
		case "org":
			got = NormalizeOrgCode(c.in)
		case "reg":
			got = NormalizeRegNo(c.in)
		}
		if got != c.want {
			t.Errorf("%s(%q) = %q, want %q", c.fn, c.in, got, c.want)
		}
	}
}

func TestParseRegion(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"360800", []string{"360800"}},
		{"吉安", []string{"360800"}},
		{"江西省吉安市", []string{"360800"}},
		{"吉安市吉州区", []string{"360802"}},
		{"nowhere", nil},
	} {
		if got := ParseRegion(c.in); !slices.Equal(got, c.want) {
			t.Errorf("ParseRegion(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

// TestNameReadings: a short region name split off may be the start of the
// trade name (东方红, 新宁, 海丰), so the name keeps a second reading with it;
// a full region name (吉安市) is never part of a trade name.
func TestNameReadings(t *testing.T) {
	for _, c := range []struct {
		in         string
		core       string
		regions    []string
		alt        string
		altRegions []string
	}{
		{"东方红科技有限公司", "红科技", []string{"469007"}, "东方红科技", nil},
		{"新宁电子科技有限公司", "电子科技", []string{"430528"}, "新宁电子科技", nil},
		{"吉安市东方红科技有限公司", "东方红科技", []string{"360800"}, "", nil},
		{"吉安东方红科技有限公司", "东方红科技", []string{"360800"}, "吉安东方红科技", nil},
		{"海南东方红科技有限公司", "红科技", []string{"469007"}, "东方红科技", []string{"460000"}},
		{"东方（上海）进出口有限责任公司", "进出口", []string{"469007", "310000"}, "东方进出口", []string{"310000"}},
		{"江西省吉安市汇骏实业有限公司", "汇骏实业", []string{"360800"}, "", nil},
		{"汇骏实业有限公司", "汇骏实业", nil, "", nil},
	} {
		n := NormalizeName(c.in)
		if n.Core != c.core || !slices.Equal(n.Regions, c.regions) || n.Alt != c.alt || !slices.Equal(n.AltRegions, c.altRegions) {
			t.Errorf("NormalizeName(%q) = core %q regions %v alt %q alt regions %v; want %q %v %q %v",
				c.in, n.Core, n.Regions, n.Alt, n.AltRegions, c.core, c.regions, c.alt, c.altRegions)
		}
	}
}

// TestSimplifyShortcut: strings that hold none of the runes t2s changes are
// not converted; the shortcut must never change what Simplify returns.
func TestSimplifyShortcut(t *testing.T) {
	if t2sRunes() == nil {
		t.Fatal("the t2s dictionaries could not be read: every name is converted (slow)")
	}
	for _, s := range []string{"吉安市汇骏实业有限公司", "吉安市匯駿實業有限責任公司", "乾隆酒店", "乾燥設備", "王小明", "王曉明",
		"香港國際控股有限公司", "干燥设备", "后来", "後來", "发现", "髮型", "台湾", "臺灣", "acme co., ltd."} {
		want := strings.ToLower(textnorm.Clean(s))
		if out, err := t2s().Convert(want); err == nil {
			want = out
		}
		if got := Simplify(s); got != want {
			t.Errorf("Simplify(%q) = %q, the converter gives %q", s, got, want)
		}
	}
	if mayConvert("吉安市汇骏实业有限公司") {
		t.Error("a simplified name is sent through the converter")
	}
	if !mayConvert("匯駿") {
		t.Error("traditional characters are not sent through the converter")
	}
}
