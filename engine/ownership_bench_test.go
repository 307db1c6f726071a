package engine

import (
	"os"
	"reflect"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// BenchmarkStructure times the structure chain of a run (ComputeOwnership,
// and incremental from its own state with nothing changed or with 1 %
// of the holdings' ratios changed, beside the full computation of that day,
// DetectFlags, ControlGroups) one step at a time on the generator's sample
// (RISKGRAPH_STRUCTURE_BENCH_ENTERPRISES, default 10 000), and the
// ownership and flags as they were computed before this session
// (referenceOwnership, referenceDetectFlags) beside them. cpu-ms/op is the process's CPU time per
// call, which a shared machine distorts less than the wall time.
func BenchmarkStructure(b *testing.B) {
	n := 10_000
	if v, err := strconv.Atoi(os.Getenv("RISKGRAPH_STRUCTURE_BENCH_ENTERPRISES")); err == nil && v > 0 {
		n = v
	}
	g := generated(b, n).graph
	p := DefaultParams()
	o, hs, _ := computeOwnership(g, &p, genToday, nil)
	// The state a snapshot keeps, every id stable: what a day that changed
	// no holding computes (the incremental path's floor).
	state := newOwnershipState(&p, o, hs)
	state.Stable = g.N()
	// A day that changed the ratio of every 100th holding (1 %; the
	// benchmarks' daily run changes fewer): the same graph with those
	// ratios changed, computed from the state above.
	day := *g
	day.Edges = slices.Clone(g.Edges)
	held := 0
	for i := range day.Edges {
		if e := &day.Edges[i]; e.Type == EdgeHolds {
			if held++; held%100 == 0 {
				e.Ratio *= 0.99
			}
		}
	}
	if got, _, st := computeOwnership(&day, &p, genToday, state); !st.Incremental || !reflect.DeepEqual(got, ComputeOwnership(&day, &p, genToday)) {
		b.Fatalf("the 1 %% day's incremental ownership (%+v) is not the full one", st)
	} else {
		b.Logf("1 %% day: %+v", st)
	}
	steps := []struct {
		name string
		f    func()
	}{
		{"ownership-reference", func() { referenceOwnership(g, &p, genToday) }},
		{"ownership", func() { ComputeOwnership(g, &p, genToday) }},
		{"ownership-unchanged", func() { computeOwnership(g, &p, genToday, state) }},
		{"ownership-1pct-full", func() { ComputeOwnership(&day, &p, genToday) }},
		{"ownership-1pct", func() { computeOwnership(&day, &p, genToday, state) }},
		{"flags-reference", func() { referenceDetectFlags(g, o, &p, genToday) }},
		{"flags", func() { DetectFlags(g, o, &p, genToday) }},
		{"groups", func() { ControlGroups(g, p.Ownership.ControlThreshold, genToday) }},
	}
	for _, s := range steps {
		b.Run(s.name, func(b *testing.B) {
			cpu0 := processCPU()
			for b.Loop() {
				s.f()
			}
			b.ReportMetric(float64((processCPU()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
		})
	}
}

// processCPU is the process's user and system CPU time so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
