package report

import (
	"testing"
	"time"
)

func TestCron(t *testing.T) {
	sh := Shanghai()
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, sh)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct{ expr, from, want string }{
		{"0 7 * * *", "2026-07-01 06:59", "2026-07-01 07:00"},
		{"0 7 * * *", "2026-07-01 07:00", "2026-07-02 07:00"},
		{"*/15 * * * *", "2026-07-01 07:01", "2026-07-01 07:15"},
		{"30 8 * * 1-5", "2026-07-03 09:00", "2026-07-06 08:30"}, // Friday → Monday
		{"0 0 1 * *", "2026-12-15 00:00", "2027-01-01 00:00"},
		{"0 6 29 2 *", "2026-03-01 00:00", "2028-02-29 06:00"},
		{"0 12 13 * 5", "2026-07-01 00:00", "2026-07-03 12:00"}, // Friday or the 13th
		{"5,35 9-10 * * 0", "2026-07-05 09:06", "2026-07-05 09:35"},
		{"0 9 * * 7", "2026-07-01 00:00", "2026-07-05 09:00"}, // 7 is Sunday
	} {
		s, err := ParseCron(tc.expr)
		if err != nil {
			t.Fatalf("%s: %v", tc.expr, err)
		}
		if got := s.Next(at(tc.from)); !got.Equal(at(tc.want)) {
			t.Errorf("%s after %s: %s, want %s", tc.expr, tc.from, got.Format("2006-01-02 15:04 Mon"), tc.want)
		}
	}
	for _, bad := range []string{"", "* * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *", "* * * * 8", "*/0 * * * *", "a * * * *", "5-1 * * * *"} {
		if _, err := ParseCron(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if s, _ := ParseCron("0 0 31 2 *"); !s.Next(at("2026-01-01 00:00")).IsZero() {
		t.Error("31 February has a next time")
	}
}

func FuzzParseCron(f *testing.F) {
	for _, s := range []string{"0 7 * * *", "*/5 1-3 1,15 * 1-5", "0 0 31 2 *"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		s, err := ParseCron(expr)
		if err != nil {
			return
		}
		from := time.Date(2026, 7, 1, 0, 0, 0, 0, Shanghai())
		if n := s.Next(from); !n.IsZero() && !n.After(from) {
			t.Errorf("%q: next %v not after %v", expr, n, from)
		}
	})
}
