package main

import "time"

// pacer schedules an open-loop load (-rate): request n is due at
// start + n/rate, whether or not earlier answers have come. A worker
// waits for its request's due time and measures the latency from it, not
// from when a connection was free to send: a server that falls behind
// shows the wait in the latencies (no coordinated omission) and in the
// throughput, instead of being offered less load. A closed loop (-c
// connections, each sending as soon as it has its answer) cannot measure
// a target of the form "R requests per second with p99 under L".
type pacer struct {
	start time.Time
	every time.Duration // 0: closed loop, no schedule
	end   time.Time
}

// newPacer returns the schedule of rate requests per second from start
// until end; rate <= 0 gives the closed loop.
func newPacer(start, end time.Time, rate float64) pacer {
	p := pacer{start: start, end: end}
	if rate > 0 {
		p.every = time.Duration(float64(time.Second) / rate)
	}
	return p
}

// due is when request n is to be sent; ok is false when that is past the
// end (open loop) — the closed loop's requests are due at once.
func (p pacer) due(n int64) (at time.Time, ok bool) {
	if p.every == 0 {
		return time.Now(), true
	}
	at = p.start.Add(time.Duration(n) * p.every)
	return at, at.Before(p.end)
}

// wait sleeps until request n is due and returns the time its latency
// counts from; ok is false when it is due past the end.
func (p pacer) wait(n int64) (from time.Time, ok bool) {
	at, ok := p.due(n)
	if !ok {
		return at, false
	}
	if d := time.Until(at); d > 0 {
		time.Sleep(d)
	}
	if p.every == 0 {
		return time.Now(), true
	}
	return at, true
}
