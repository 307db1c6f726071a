package engine

import (
	"os"
	"strconv"
	"testing"
)

// BenchmarkExplain compares the exhaustive reverse push (Explain, the
// reference) with the bounded one the API uses (Result.Explain) on the
// generator's sample (RISKGRAPH_EXPLAIN_BENCH_ENTERPRISES, default 10 000),
// cycling through the enterprises with a score. It reports the mean share
// of the score left unattributed (unaccounted/score).
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
	for _, c := range []struct {
		name    string
		explain func(v int32) Explanation
	}{
		{"exhaustive", func(v int32) Explanation {
			return Explain(g, res.Operator, res.Intrinsic, res.Score, pp.Alpha, v, pp.TopK, pp.ExplainEpsilon)
		}},
		{"bounded", res.Explain},
	} {
		b.Run(c.name, func(b *testing.B) {
			share := 0.0
			i := 0
			for b.Loop() {
				v := targets[(i*7919)%len(targets)]
				i++
				ex := c.explain(v)
				share += ex.Unaccounted / ex.Score
			}
			b.ReportMetric(share/float64(i), "unaccounted/score")
		})
	}
}
