package main

import (
	"testing"
	"time"
)

// TestPacerSchedule: the open loop's request n is due at start + n/rate
// and none is due past the end; its latency counts from the due time even
// when the request is sent late (a connection was busy), so a server that
// falls behind shows it.
func TestPacerSchedule(t *testing.T) {
	start := time.Now().Add(-time.Second) // a schedule already a second old
	p := newPacer(start, start.Add(2*time.Second), 1000)
	for _, n := range []int64{0, 1, 999, 1999} {
		at, ok := p.due(n)
		if want := start.Add(time.Duration(n) * time.Millisecond); !ok || !at.Equal(want) {
			t.Errorf("due(%d) = %v %v, want %v true", n, at.Sub(start), ok, want.Sub(start))
		}
	}
	if _, ok := p.due(2000); ok {
		t.Error("request 2000 at 1000/s is due at the end of a 2 s load: want none")
	}
	// Request 500 was due half a second ago: sent now, counted from then.
	from, ok := p.wait(500)
	if !ok || !from.Equal(start.Add(500*time.Millisecond)) {
		t.Errorf("wait(500) = %v %v: the latency must count from the due time", from.Sub(start), ok)
	}
}

// TestPacerClosedLoop: without a rate every request is due at once and
// counts from when it is sent.
func TestPacerClosedLoop(t *testing.T) {
	p := newPacer(time.Now().Add(-time.Hour), time.Now().Add(-time.Minute), 0)
	from, ok := p.wait(1_000_000)
	if !ok || time.Since(from) > time.Second {
		t.Errorf("closed loop: wait = %v %v, want now", from, ok)
	}
}
