package neo4j

import (
	"math"
	"runtime/debug"
	"testing"
)

// TestAheadWaiting: the streams that wait read the short read-ahead only
// while the process has a memory limit, and never more than scanAhead.
func TestAheadWaiting(t *testing.T) {
	prev := debug.SetMemoryLimit(math.MaxInt64)
	defer debug.SetMemoryLimit(prev)
	if got := aheadWaiting(); got != scanAhead {
		t.Errorf("without a limit: %d chunks, want scanAhead %d", got, scanAhead)
	}
	debug.SetMemoryLimit(1 << 30)
	if got := aheadWaiting(); got != scanAheadWaiting || got >= scanAhead {
		t.Errorf("under a limit: %d chunks, want scanAheadWaiting %d (< scanAhead %d)", got, scanAheadWaiting, scanAhead)
	}
	old := scanAhead
	scanAhead = 2
	defer func() { scanAhead = old }()
	if got := aheadWaiting(); got != 2 {
		t.Errorf("under a limit with scanAhead 2: %d chunks", got)
	}
}

// TestRelsByIDOnlyWithoutLimit: the projection scan stages its
// relationships (reads them by id) only when the process has no memory
// limit; under one it streams them enterprise by enterprise.
func TestRelsByIDOnlyWithoutLimit(t *testing.T) {
	prev := debug.SetMemoryLimit(math.MaxInt64)
	defer debug.SetMemoryLimit(prev)
	if !relsByID() {
		t.Error("without a limit: relationships not read by id")
	}
	debug.SetMemoryLimit(1 << 30)
	if relsByID() {
		t.Error("under a limit: relationships read by id (staged whole)")
	}
}
