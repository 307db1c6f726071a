package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Schedule is a parsed five-field cron expression: minute hour
// day-of-month month day-of-week, each "*", a number, a range "a-b", a
// step "*/n" or "a-b/n", or a comma list of those. Day-of-week 0 and 7
// are Sunday. As in Vixie cron, when both day fields are restricted a day
// matches either.
type Schedule struct {
	expr              string
	minute, hour, dom uint64
	month, dow        uint64
	domStar, dowStar  bool
}

// ParseCron parses a cron expression.
func ParseCron(expr string) (*Schedule, error) {
	f := strings.Fields(expr)
	if len(f) != 5 {
		return nil, fmt.Errorf("cron %q: want 5 fields (minute hour day-of-month month day-of-week)", expr)
	}
	s := &Schedule{expr: expr, domStar: f[2] == "*", dowStar: f[4] == "*"}
	var err error
	for i, spec := range []struct {
		dst    *uint64
		lo, hi int
		name   string
	}{{&s.minute, 0, 59, "minute"}, {&s.hour, 0, 23, "hour"}, {&s.dom, 1, 31, "day of month"}, {&s.month, 1, 12, "month"}, {&s.dow, 0, 7, "day of week"}} {
		if *spec.dst, err = parseField(f[i], spec.lo, spec.hi); err != nil {
			return nil, fmt.Errorf("cron %q: %s: %v", expr, spec.name, err)
		}
	}
	if s.dow&(1<<7) != 0 {
		s.dow |= 1
	}
	return s, nil
}

func parseField(field string, lo, hi int) (uint64, error) {
	var bits uint64
	for _, part := range strings.Split(field, ",") {
		rng, stepStr, hasStep := strings.Cut(part, "/")
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepStr)
			if err != nil || n < 1 {
				return 0, fmt.Errorf("step %q: want a positive number", stepStr)
			}
			step = n
		}
		a, b := lo, hi
		if rng != "*" {
			x, y, isRange := strings.Cut(rng, "-")
			var err error
			if a, err = strconv.Atoi(x); err != nil {
				return 0, fmt.Errorf("%q: want a number, a range or *", part)
			}
			b = a
			if isRange {
				if b, err = strconv.Atoi(y); err != nil {
					return 0, fmt.Errorf("%q: want a number, a range or *", part)
				}
			} else if hasStep {
				b = hi
			}
		}
		if a < lo || b > hi || a > b {
			return 0, fmt.Errorf("%q: out of range %d-%d", part, lo, hi)
		}
		for v := a; v <= b; v += step {
			bits |= 1 << v
		}
	}
	return bits, nil
}

// String returns the expression.
func (s *Schedule) String() string { return s.expr }

func (s *Schedule) dayMatches(t time.Time) bool {
	dom, dow := s.dom&(1<<t.Day()) != 0, s.dow&(1<<int(t.Weekday())) != 0
	switch {
	case s.domStar && s.dowStar:
		return true
	case s.domStar:
		return dow
	case s.dowStar:
		return dom
	}
	return dom || dow
}

// Next returns the first matching minute strictly after t, in t's time
// zone, or the zero time when none comes within five years.
func (s *Schedule) Next(t time.Time) time.Time {
	t = t.Truncate(time.Minute).Add(time.Minute)
	end := t.AddDate(5, 0, 0)
	for t.Before(end) {
		switch {
		case s.month&(1<<int(t.Month())) == 0:
			t = time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, t.Location())
		case !s.dayMatches(t):
			t = time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, t.Location())
		case s.hour&(1<<t.Hour()) == 0:
			t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour()+1, 0, 0, 0, t.Location())
		case s.minute&(1<<t.Minute()) == 0:
			t = t.Add(time.Minute)
		default:
			return t
		}
	}
	return time.Time{}
}
