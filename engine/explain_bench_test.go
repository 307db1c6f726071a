package engine

import (
	"os"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// threadCPU is the CPU time the calling thread has used, in nanoseconds
// (Linux RUSAGE_THREAD: user + system).
func threadCPU(b *testing.B) int64 {
	const rusageThread = 1
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		b.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkExplain compares the exhaustive reverse push (Explain, the
// reference) with the bounded one the API uses (Result.Explain) on the
// generator's sample (RISKGRAPH_EXPLAIN_BENCH_ENTERPRISES, default 10 000),
// cycling through the enterprises with a score. It reports the mean share
// of the score left unattributed (unaccounted/score) and the thread's CPU
// time per explanation (cpu-ns/op: on a machine shared with other work,
// wall time counts the time the thread waited for a core too).
func BenchmarkExplain(b *testing.B) {
	n := 10_000
	if v, err := strconv.Atoi(os.Getenv("RISKGRAPH_EXPLAIN_BENCH_ENTERPRISES")); err == nil && v > 0 {
		n = v
	}
	gs := generated(b, n)
	g := gs.graph
	p := DefaultParams()
	res, err := Compute(b.Context(), g, Options{Params: p, Today: genToday.Date()})
	if err != nil {
		b.Fatal(err)
	}
	var targets []int32
	for v := int32(0); v < int32(g.N()); v++ {
		if g.Kinds[v] == NodeEnterprise && res.Score[v] > 0 {
			targets = append(targets, v)
		}
	}
	pp := &res.Params.Propagation
	advised := false
	for _, c := range []struct {
		name    string
		explain func(v int32) Explanation
	}{
		{"exhaustive", func(v int32) Explanation {
			return Explain(g, res.Operator, res.Intrinsic, res.Score, pp.Alpha, v, pp.TopK, pp.ExplainEpsilon)
		}},
		{"bounded", res.Explain},
		{"bounded-hugepages", func(v int32) Explanation {
			if !advised {
				advised = true
				b.Logf("advised %d MiB for huge pages", res.AdviseHugePages()>>20)
				rollup, _ := os.ReadFile("/proc/self/smaps_rollup")
				b.Logf("%s", rollup)
			}
			return res.Explain(v)
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			share := 0.0
			i := 0
			cpu0 := threadCPU(b)
			for b.Loop() {
				v := targets[(i*7919)%len(targets)]
				i++
				ex := c.explain(v)
				share += ex.Unaccounted / ex.Score
			}
			b.ReportMetric(float64(threadCPU(b)-cpu0)/float64(i), "cpu-ns/op")
			b.ReportMetric(share/float64(i), "unaccounted/score")
		})
	}
}

// BenchmarkBoundedSpaceFirstUse measures what the first explanations of a
// write-back pay for a new dense index (getBoundedSpace) of
// RISKGRAPH_BOUNDED_NODES nodes (3 150 000 by default, a 1 M-enterprise
// graph): made, then one entry written per 4 KiB page, as the pushes of
// a few hundred explanations touch them — in small pages, and advised for
// huge pages (adviseHuge, as it was until session 12), alternating;
// ms/space-small and ms/space-huge per new index.
func BenchmarkBoundedSpaceFirstUse(b *testing.B) {
	n := 3_150_000
	if v, err := strconv.Atoi(os.Getenv("RISKGRAPH_BOUNDED_NODES")); err == nil && v > 0 {
		n = v
	}
	var small, huge time.Duration
	keep := make([][]int32, 0, 2*b.N) // nothing freed: every index new memory
	for b.Loop() {
		for _, advise := range []bool{false, true} {
			t := time.Now()
			index := make([]int32, n)
			if advise {
				adviseHuge(index, true)
			}
			for i := 0; i < len(index); i += 1024 {
				index[i] = int32(i)
			}
			if advise {
				huge += time.Since(t)
			} else {
				small += time.Since(t)
			}
			keep = append(keep, index)
		}
	}
	b.ReportMetric(float64(small.Microseconds())/1000/float64(b.N), "ms/space-small")
	b.ReportMetric(float64(huge.Microseconds())/1000/float64(b.N), "ms/space-huge")
	runtime.KeepAlive(keep)
}
