package engine

import (
	"os"
	"runtime"
	"strconv"
	"syscall"
	"testing"
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
