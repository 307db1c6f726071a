package engine

import "sync/atomic"

// Latest holds the most recent completed result for readers such as the
// API; it is safe for concurrent use.
type Latest struct {
	p atomic.Pointer[Result]
}

// Set publishes r.
func (l *Latest) Set(r *Result) { l.p.Store(r) }

// Get returns the latest result, or nil before the first run.
func (l *Latest) Get() *Result {
	if l == nil {
		return nil
	}
	return l.p.Load()
}

// CompareAndSet publishes r only if the current result is old, and reports
// whether it did.
func (l *Latest) CompareAndSet(old, r *Result) bool { return l.p.CompareAndSwap(old, r) }
