// Package progress shows how a long load advances: a one-line bar redrawn
// in place on a terminal (rows, rows/s, ETA, rejects), or a log line every
// few seconds when the output is a file or a pipe.
package progress

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// Snapshot is the state of a load.
type Snapshot struct {
	File       string
	Read       int64
	Accepted   int64
	Rejected   int64
	Warnings   int64
	Bytes      int64 // input bytes read so far
	TotalBytes int64 // all input bytes; 0 when unknown (stdin)
}

// Reporter renders snapshots.
type Reporter struct {
	mu       sync.Mutex
	out      io.Writer
	term     bool
	log      zerolog.Logger
	interval time.Duration
	now      func() time.Time
	start    time.Time
	last     time.Time
	drawn    bool
}

// New returns a reporter: a bar on out when term is set, else log lines
// every interval (10 s when 0).
func New(out io.Writer, term bool, log zerolog.Logger, interval time.Duration) *Reporter {
	if interval <= 0 {
		interval = 10 * time.Second
	}
	return &Reporter{out: out, term: term, log: log, interval: interval, now: time.Now, start: time.Now()}
}

// Update shows s (the bar at most 10 times a second).
func (r *Reporter) Update(s Snapshot) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	if r.term {
		if now.Sub(r.last) < 100*time.Millisecond {
			return
		}
		r.last = now
		fmt.Fprint(r.out, "\r\x1b[K"+Line(s, now.Sub(r.start), 80))
		r.drawn = true
		return
	}
	if now.Sub(r.last) < r.interval {
		return
	}
	r.last = now
	el := now.Sub(r.start)
	ev := r.log.Info().Str("file", s.File).Int64("read", s.Read).Int64("accepted", s.Accepted).
		Int64("rejected", s.Rejected).Int64("warnings", s.Warnings).Int64("rows_per_s", rate(s.Read, el))
	if eta, ok := ETA(s, el); ok {
		ev = ev.Str("eta", eta.Round(time.Second).String())
	}
	ev.Msg("loading")
}

// Done clears the bar, so the summary starts on a clean line.
func (r *Reporter) Done() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.term && r.drawn {
		fmt.Fprint(r.out, "\r\x1b[K")
		r.drawn = false
	}
}

func rate(n int64, el time.Duration) int64 {
	if el <= 0 {
		return 0
	}
	return int64(float64(n) / el.Seconds())
}

// ETA estimates the time left from the share of input bytes read.
func ETA(s Snapshot, el time.Duration) (time.Duration, bool) {
	if s.TotalBytes <= 0 || s.Bytes <= 0 || el <= 0 {
		return 0, false
	}
	frac := float64(s.Bytes) / float64(s.TotalBytes)
	if frac >= 1 {
		return 0, true
	}
	return time.Duration(float64(el) * (1 - frac) / frac), true
}

// Line renders the bar: name, bar and percentage (when the size is known),
// rows, rows/s, ETA and rejects.
func Line(s Snapshot, el time.Duration, width int) string {
	var b strings.Builder
	name := s.File
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	if len(name) > 24 {
		name = "…" + name[len(name)-23:]
	}
	b.WriteString(name + " ")
	if s.TotalBytes > 0 {
		frac := min(float64(s.Bytes)/float64(s.TotalBytes), 1)
		const bar = 20
		n := int(frac * bar)
		b.WriteString("[" + strings.Repeat("=", n) + strings.Repeat(" ", bar-n) + "] ")
		fmt.Fprintf(&b, "%3.0f%% ", frac*100)
	}
	fmt.Fprintf(&b, "%s rows  %s rows/s", group(s.Read), group(rate(s.Read, el)))
	if eta, ok := ETA(s, el); ok {
		fmt.Fprintf(&b, "  ETA %s", clock(eta))
	}
	fmt.Fprintf(&b, "  rejects %s", group(s.Rejected))
	out := b.String()
	if width > 0 && len([]rune(out)) > width {
		out = string([]rune(out)[:width])
	}
	return out
}

// group writes n with thin groups of three digits: 1 234 567.
func group(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func clock(d time.Duration) string {
	d = d.Round(time.Second)
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%d:%02d", m, s)
}
