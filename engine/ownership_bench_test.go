package engine

import (
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// BenchmarkStructure times the structure chain of a run (ComputeOwnership,
// and incremental from its own state with nothing changed,
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
	steps := []struct {
		name string
		f    func()
	}{
		{"ownership-reference", func() { referenceOwnership(g, &p, genToday) }},
		{"ownership", func() { ComputeOwnership(g, &p, genToday) }},
		{"ownership-unchanged", func() { computeOwnership(g, &p, genToday, state) }},
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
