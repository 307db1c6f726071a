package benchmarks

import (
	"context"
	"slices"
	"testing"
	"time"

	"riskgraph/engine"
	"riskgraph/store/memory"
	"riskgraph/synth"
)

// BenchmarkPropagateIncremental measures an incremental run's propagation
// alone (engine.PropagateIncremental, one core's worth of noise less than
// a whole daily run) on the generator's sample of each
// RISKGRAPH_ENGINE_SIZES size: from the exact scores of the data (a full
// propagation, as a projection snapshot keeps them), after a 1 % day
// ("day-": the intrinsic risk of every 100th enterprise raised as a new
// penalty raises it) and a 0.01 % day ("small-": every 10 000th), each
// with propagation.incremental_tolerance 0 (the full run's tolerance, the
// rule before it: "full-") and at its default ("inc-"), the four in turn
// in every iteration, so that a shared machine's load falls on all of
// them alike. Per variant: cpu-s (the process's CPU time), s (wall),
// pushes and sweeps, averaged over the iterations.
func BenchmarkPropagateIncremental(b *testing.B) {
	eachLoadedSize(b, func(b *testing.B, st *memory.Store) {
		g, err := engine.Project(context.Background(), st)
		if err != nil {
			b.Fatal(err)
		}
		p := engine.DefaultParams()
		today := engine.DayOf(synth.DefaultReferenceDate())
		in := engine.ComputeIntrinsic(g, &p, today)
		op := engine.BuildOperator(g, &p, today)
		old, err := engine.Propagate(op, in.Risk, &p.Propagation, p.Workers)
		if err != nil {
			b.Fatal(err)
		}
		day := func(every int) []float64 {
			r := slices.Clone(in.Risk)
			ne := 0
			for v := range r {
				if g.Kinds[v] == engine.NodeEnterprise {
					if ne%every == every/4 {
						r[v] = 1 - (1-r[v])*(1-0.5*0.8)
					}
					ne++
				}
			}
			return r
		}
		type variant struct {
			name string
			r    []float64
			pp   engine.PropagationParams
			sum  [4]float64 // cpu, wall, pushes, sweeps
		}
		var vs []*variant
		for _, d := range []struct {
			name  string
			every int
		}{{"day-", 100}, {"small-", 10_000}} {
			r := day(d.every)
			for _, t := range []struct {
				name string
				tol  float64
			}{{"full-", 0}, {"inc-", engine.DefaultIncrementalTolerance}} {
				pp := p.Propagation
				pp.IncrementalTolerance = t.tol
				vs = append(vs, &variant{name: d.name + t.name, r: r, pp: pp})
			}
		}
		n := 0
		for b.Loop() {
			n++
			for _, v := range vs {
				cpu0, t0 := cpuSeconds(), time.Now()
				res, err := engine.PropagateIncremental(op, v.r, old.Score, &v.pp, p.Workers)
				if err != nil {
					b.Fatal(err)
				}
				v.sum[0] += cpuSeconds() - cpu0
				v.sum[1] += time.Since(t0).Seconds()
				v.sum[2] += float64(res.Pushes)
				v.sum[3] += float64(res.Sweeps)
			}
		}
		for _, v := range vs {
			for i, unit := range []string{"cpu-s", "s", "pushes", "sweeps"} {
				b.ReportMetric(v.sum[i]/float64(n), v.name+unit)
			}
		}
	})
}
