package benchmarks

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"riskgraph/engine"
)

// BenchmarkPageRankVsNetworkx runs engine.PersonalizedPageRank and
// networkx's pagerank (scipy backend, scripts/networkx/pagerank_bench.py)
// on the same 200 000-node graph, written to one file both read, in the
// same session; it reports both times, their ratio and the L1 difference
// of the results (the benchmark fails above 1e-9). It is skipped when
// python3 with networkx is not installed (pip install networkx scipy numpy).
func BenchmarkPageRankVsNetworkx(b *testing.B) {
	const n, alpha, tol = 200_000, 0.85, 1e-10
	if err := exec.Command("python3", "-c", "import networkx, scipy").Run(); err != nil {
		b.Skip("python3 with networkx and scipy is needed: pip install networkx scipy numpy")
	}
	// A random weighted digraph: 1–8 out-edges for 85 % of the nodes
	// (the rest dangling), weights in [0.05, 3), a sparse restart.
	rng := rand.New(rand.NewPCG(20260630, 1))
	var from, to []int32
	var w []float64
	for u := range n {
		if rng.Float64() < 0.15 {
			continue
		}
		for range 1 + rng.IntN(8) {
			from, to = append(from, int32(u)), append(to, int32(rng.IntN(n)))
			w = append(w, 0.05+rng.Float64()*2.95)
		}
	}
	pers := make([]float64, n)
	for range 2000 {
		pers[rng.IntN(n)] = 0.1 + rng.Float64()
	}
	dir := b.TempDir()
	path := filepath.Join(dir, "graph.txt")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	bw := bufio.NewWriter(f)
	fmt.Fprintf(bw, "%d %v %v\n", n, alpha, tol)
	for i, p := range pers {
		if p > 0 {
			fmt.Fprintf(bw, "p %d %v\n", i, p)
		}
	}
	for i := range from {
		fmt.Fprintf(bw, "e %d %d %v\n", from[i], to[i], w[i])
	}
	if err := bw.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()

	g := engine.NewWeightedDigraph(n, from, to, w)
	opts := engine.PageRankOptions{Alpha: alpha, Personalization: pers, Tol: tol, MaxIter: 10000}
	var got []float64
	var iters int
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		if got, iters, err = engine.PersonalizedPageRank(g, opts); err != nil {
			b.Fatal(err)
		}
	}
	goSec := time.Since(start).Seconds() / float64(b.N)
	b.StopTimer()

	out := filepath.Join(dir, "networkx.json")
	cmd := exec.Command("python3", "../scripts/networkx/pagerank_bench.py", path, out)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		b.Fatal(err)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		b.Fatal(err)
	}
	var nx struct {
		Networkx  string    `json:"networkx"`
		Scipy     string    `json:"scipy"`
		LoadS     float64   `json:"load_s"`
		PagerankS float64   `json:"pagerank_s"`
		Scores    []float64 `json:"scores"`
	}
	if err := json.Unmarshal(raw, &nx); err != nil {
		b.Fatal(err)
	}
	l1 := 0.0
	for i := range got {
		l1 += math.Abs(got[i] - nx.Scores[i])
	}
	if l1 > 1e-9 {
		b.Fatalf("L1 difference from networkx %g > 1e-9", l1)
	}
	b.Logf("%d nodes, %d edges, %d iterations; engine %.3f s, networkx %s (scipy %s) %.3f s (+%.1f s building the DiGraph); ×%.1f; L1 %.2g",
		n, len(from), iters, goSec, nx.Networkx, nx.Scipy, nx.PagerankS, nx.LoadS, nx.PagerankS/goSec, l1)
	b.ReportMetric(goSec, "engine-s")
	b.ReportMetric(nx.PagerankS, "networkx-s")
	b.ReportMetric(nx.PagerankS/goSec, "speedup")
	b.ReportMetric(l1, "L1")
	b.ReportMetric(float64(iters), "iterations")
}
