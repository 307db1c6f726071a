package mapping

import (
	"errors"
	"strconv"
	"testing"
	"time"
)

// FuzzTransforms feeds one value to every transform: no panic, refusals
// carry a fix, and what is accepted is canonical text the loader reads.
func FuzzTransforms(f *testing.F) {
	for _, s := range []string{"35.5%", "３５．５％", "1/3", "100万元", "1.5亿", "1,234.5元", "50万美元", "2019年3月5日", "2019/3/5",
		"20190305", "2019-02-30", "吊销，未注销", "存续", "董事长", "自然人", "", "1e400", "-0", "万"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		check := func(name string, out string, err error, ok func(string) bool) {
			if err != nil {
				var ve *ValueError
				if !errors.As(err, &ve) || ve.Reason == "" || ve.Fix == "" {
					t.Fatalf("%s(%q): error without reason and fix: %v", name, s, err)
				}
				return
			}
			if out != "" && !ok(out) {
				t.Fatalf("%s(%q) = %q, not canonical", name, s, out)
			}
		}
		number := func(v string) bool { _, err := strconv.ParseFloat(v, 64); return err == nil }
		out, err := Percent(s)
		check("Percent", out, err, number)
		out, err = Fraction(s)
		check("Fraction", out, err, number)
		out, err = Money(s, "万元")
		check("Money", out, err, number)
		out, err = Date(s)
		check("Date", out, err, func(v string) bool { _, err := time.Parse(time.DateOnly, v); return err == nil })
		for _, name := range Builtin() {
			out, err := vocabularies[name].apply(s)
			check(name, out, err, func(v string) bool {
				for _, a := range vocabularies[name].allowed {
					if a == v {
						return true
					}
				}
				return false
			})
		}
	})
}
