package models

import (
	"encoding/json"
	"fmt"
	"time"
)

// Date is a calendar date (UTC midnight). The zero Date means "unknown" and
// encodes as JSON null.
type Date struct{ time.Time }

// NewDate returns the date y-m-d.
func NewDate(y int, m time.Month, d int) Date {
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// DateOf truncates t to its calendar date in UTC.
func DateOf(t time.Time) Date {
	if t.IsZero() {
		return Date{}
	}
	y, m, d := t.UTC().Date()
	return NewDate(y, m, d)
}

// chinaTime is China Standard Time (UTC+8, no daylight saving).
var chinaTime = time.FixedZone("CST", 8*3600)

// ChinaDate is the calendar date at t in China (UTC+8): the day a
// regulator's "today" means.
func ChinaDate(t time.Time) Date {
	y, m, d := t.In(chinaTime).Date()
	return NewDate(y, m, d)
}

// ParseDate parses an ISO date (2006-01-02). The empty string is the zero Date.
func ParseDate(s string) (Date, error) {
	if s == "" {
		return Date{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return Date{t}, nil
}

// String formats the date as YYYY-MM-DD, or "" when unknown.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Format(time.DateOnly)
}

// MarshalJSON encodes the date as "YYYY-MM-DD" or null.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(d.String())
}

// UnmarshalJSON decodes "YYYY-MM-DD" or null.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}
