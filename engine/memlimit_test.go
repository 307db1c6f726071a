package engine

import (
	"context"
	"runtime/debug"
	"slices"
	"testing"

	"riskgraph/store"
	"riskgraph/synth"
)

// limitProbe is a Scanner that records the process's memory limit while
// the projection reads it.
type limitProbe struct {
	store.Scanner
	seen int64
}

func (p *limitProbe) Scan(ctx context.Context, pageSize int, fn func(*store.Batch) error) error {
	p.seen = debug.SetMemoryLimit(-1)
	return p.Scanner.Scan(ctx, pageSize, fn)
}

// TestRunMemoryLimit: Options.MemoryLimit is the process's limit while
// the run reads the graph, the previous limit is back afterwards, the
// results are those of a run without it, and a negative limit is refused.
func TestRunMemoryLimit(t *testing.T) {
	set := generated(t, 300)
	opts := Options{Params: DefaultParams(), Today: synth.DefaultReferenceDate()}
	plain, err := Run(context.Background(), set.store, opts)
	if err != nil {
		t.Fatal(err)
	}
	before := debug.SetMemoryLimit(-1)
	const limit = 3 << 30
	if before == limit {
		t.Fatalf("the process's limit is already %d", before)
	}
	probe := &limitProbe{Scanner: set.store}
	opts.MemoryLimit = limit
	res, err := Run(context.Background(), probe, opts)
	if err != nil {
		t.Fatal(err)
	}
	if probe.seen != limit {
		t.Errorf("limit during the scan = %d, want %d", probe.seen, limit)
	}
	if after := debug.SetMemoryLimit(-1); after != before {
		t.Errorf("limit after the run = %d, want the previous %d", after, before)
	}
	if !slices.Equal(res.Score, plain.Score) || !slices.Equal(res.Grade, plain.Grade) {
		t.Error("a run under a memory limit scored differently")
	}
	opts.MemoryLimit = -1
	if _, err := Run(context.Background(), set.store, opts); err == nil {
		t.Error("a negative memory limit was accepted")
	}
}

// TestLimitMemoryOverlapping: runs that overlap keep the smallest limit
// asked for, and the process's own limit is back only after the last one
// ends, whichever ends first.
func TestLimitMemoryOverlapping(t *testing.T) {
	own := debug.SetMemoryLimit(-1)
	endA := limitMemory(3 << 30)
	endB := limitMemory(2 << 30)
	if got := debug.SetMemoryLimit(-1); got != 2<<30 {
		t.Errorf("two runs: limit %d, want the smaller %d", got, 2<<30)
	}
	endA()
	if got := debug.SetMemoryLimit(-1); got == own {
		t.Error("the process's limit came back while a run was still under its own")
	}
	endB()
	if got := debug.SetMemoryLimit(-1); got != own {
		t.Errorf("after both runs: limit %d, want the process's %d", got, own)
	}
}
