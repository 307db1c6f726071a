package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

func TestLine(t *testing.T) {
	s := Snapshot{File: "/data/enterprises.csv.gz", Read: 1_234_567, Rejected: 12, Bytes: 25, TotalBytes: 100}
	got := Line(s, 10*time.Second, 0)
	for _, want := range []string{"enterprises.csv.gz", "[=====               ]", " 25%", "1 234 567 rows", "123 456 rows/s", "ETA 0:30", "rejects 12"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
	if got := Line(Snapshot{File: "stdin", Read: 10}, time.Second, 0); strings.Contains(got, "ETA") || strings.Contains(got, "[") {
		t.Errorf("unknown size: %q", got)
	}
}

func TestReporter(t *testing.T) {
	var term, logs bytes.Buffer
	clock := time.Unix(0, 0)
	r := New(&term, true, zerolog.Nop(), 0)
	r.now, r.start = func() time.Time { return clock }, clock
	clock = clock.Add(time.Second)
	r.Update(Snapshot{File: "a.csv", Read: 100})
	r.Update(Snapshot{File: "a.csv", Read: 200}) // too soon: not drawn
	r.Done()
	if got := term.String(); strings.Count(got, "\r\x1b[K") != 2 || !strings.Contains(got, "100 rows") || strings.Contains(got, "200 rows") {
		t.Errorf("terminal output %q", got)
	}
	l := New(nil, false, zerolog.New(&logs), time.Minute)
	l.now, l.start = func() time.Time { return clock }, clock.Add(-time.Minute)
	l.Update(Snapshot{File: "a.csv", Read: 600, TotalBytes: 10, Bytes: 5})
	l.Update(Snapshot{File: "a.csv", Read: 700})
	if got := logs.String(); strings.Count(got, "\n") != 1 || !strings.Contains(got, `"rows_per_s":10`) || !strings.Contains(got, `"eta":"1m0s"`) {
		t.Errorf("log output %q", got)
	}
}
