package models

import (
	"testing"
	"time"
)

// China's date runs eight hours ahead of UTC's.
func TestChinaDate(t *testing.T) {
	for _, c := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 12, 6, 15, 59, 0, 0, time.UTC), "2026-12-06"},
		{time.Date(2026, 12, 6, 16, 0, 0, 0, time.UTC), "2026-12-07"},
		{time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC), "2027-01-01"},
	} {
		if got := ChinaDate(c.at).String(); got != c.want {
			t.Errorf("ChinaDate(%v) = %s, want %s", c.at, got, c.want)
		}
	}
}
