package engine

import (
	"errors"
	"fmt"
	"math"
)

// WeightedDigraph is a directed graph in CSR form: the edges of node v go to
// Dst[Off[v]:Off[v+1]] with weights W[Off[v]:Off[v+1]]. Parallel edges add up.
type WeightedDigraph struct {
	Off []int64
	Dst []int32
	W   []float64
}

// N is the number of nodes.
func (g *WeightedDigraph) N() int { return len(g.Off) - 1 }

// NewWeightedDigraph builds the CSR graph of n nodes from an edge list.
func NewWeightedDigraph(n int, from, to []int32, w []float64) *WeightedDigraph {
	g := &WeightedDigraph{Off: make([]int64, n+1), Dst: make([]int32, len(from)), W: make([]float64, len(from))}
	for _, f := range from {
		g.Off[f+1]++
	}
	for v := 0; v < n; v++ {
		g.Off[v+1] += g.Off[v]
	}
	next := make([]int64, n)
	copy(next, g.Off[:n])
	for i, f := range from {
		g.Dst[next[f]], g.W[next[f]] = to[i], w[i]
		next[f]++
	}
	return g
}

// PageRankOptions configure PersonalizedPageRank. The zero values of Alpha,
// Tol and MaxIter take networkx's defaults (0.85, 1e-6, 100).
type PageRankOptions struct {
	Alpha float64
	// Personalization is the restart distribution (normalised to sum 1);
	// nil means uniform. It must not sum to 0.
	Personalization []float64
	// Dangling is where the mass of nodes without out-weight goes
	// (normalised); nil means Personalization.
	Dangling []float64
	// Tol: iteration stops when the L1 change is below N·Tol, as in networkx.
	Tol     float64
	MaxIter int
	Workers int
}

// ErrNotConverged is returned when PersonalizedPageRank reaches MaxIter.
var ErrNotConverged = errors.New("pagerank: power iteration did not converge")

// PersonalizedPageRank computes networkx's pagerank(G, alpha, personalization,
// weight=…, dangling=…) on g: the fixed point of
//
//	x = α·(xᵀP + (Σ_{d dangling} x_d)·dangling) + (1−α)·p
//
// where P is g's weight matrix with each row divided by its sum, and a node
// whose out-weight is 0 is dangling. Like networkx it starts from the uniform
// vector and stops when Σ|x−x_last| < N·Tol. It returns the scores and the
// number of iterations. Results do not depend on Workers.
func PersonalizedPageRank(g *WeightedDigraph, opts PageRankOptions) ([]float64, int, error) {
	n := g.N()
	if n == 0 {
		return nil, 0, nil
	}
	alpha, tol, maxIter := opts.Alpha, opts.Tol, opts.MaxIter
	if alpha == 0 {
		alpha = 0.85
	}
	if tol == 0 {
		tol = 1e-6
	}
	if maxIter == 0 {
		maxIter = 100
	}
	if !(alpha > 0 && alpha < 1) {
		return nil, 0, fmt.Errorf("pagerank: alpha %v outside (0,1)", alpha)
	}
	p, err := distribution(opts.Personalization, n, "personalization")
	if err != nil {
		return nil, 0, err
	}
	dang := p
	if opts.Dangling != nil {
		if dang, err = distribution(opts.Dangling, n, "dangling"); err != nil {
			return nil, 0, err
		}
	}
	// Out-weights and the transpose with normalised weights (pull form).
	outW := make([]float64, n)
	for v := 0; v < n; v++ {
		s := 0.0
		for k := g.Off[v]; k < g.Off[v+1]; k++ {
			s += g.W[k]
		}
		outW[v] = s
	}
	var dangling []int32
	for v, s := range outW {
		if s == 0 {
			dangling = append(dangling, int32(v))
		}
	}
	inOff := make([]int64, n+1)
	for _, d := range g.Dst {
		inOff[d+1]++
	}
	for v := 0; v < n; v++ {
		inOff[v+1] += inOff[v]
	}
	inSrc := make([]int32, len(g.Dst))
	inW := make([]float64, len(g.Dst))
	next := make([]int64, n)
	copy(next, inOff[:n])
	for v := 0; v < n; v++ {
		for k := g.Off[v]; k < g.Off[v+1]; k++ {
			d := g.Dst[k]
			inSrc[next[d]] = int32(v)
			if outW[v] != 0 {
				inW[next[d]] = g.W[k] / outW[v]
			}
			next[d]++
		}
	}
	x := make([]float64, n)
	for i := range x {
		x[i] = 1 / float64(n)
	}
	xn := make([]float64, n)
	errs := make([]float64, numChunks(n))
	for it := 1; it <= maxIter; it++ {
		ds := 0.0
		for _, d := range dangling {
			ds += x[d]
		}
		parallelChunks(n, opts.Workers, func(c, lo, hi int) {
			e := 0.0
			for v := lo; v < hi; v++ {
				s := 0.0
				for k := inOff[v]; k < inOff[v+1]; k++ {
					s += x[inSrc[k]] * inW[k]
				}
				nv := alpha*(s+ds*dang[v]) + (1-alpha)*p[v]
				e += math.Abs(nv - x[v])
				xn[v] = nv
			}
			errs[c] = e
		})
		x, xn = xn, x
		total := 0.0
		for _, e := range errs {
			total += e
		}
		if total < float64(n)*tol {
			return x, it, nil
		}
	}
	return x, maxIter, fmt.Errorf("%w in %d iterations", ErrNotConverged, maxIter)
}

// distribution normalises v to sum 1 (uniform when nil).
func distribution(v []float64, n int, name string) ([]float64, error) {
	out := make([]float64, n)
	if v == nil {
		for i := range out {
			out[i] = 1 / float64(n)
		}
		return out, nil
	}
	if len(v) != n {
		return nil, fmt.Errorf("pagerank: %s has %d entries for %d nodes", name, len(v), n)
	}
	s := 0.0
	for _, x := range v {
		if x < 0 || math.IsNaN(x) {
			return nil, fmt.Errorf("pagerank: %s has a negative or NaN entry", name)
		}
		s += x
	}
	if s == 0 {
		return nil, fmt.Errorf("pagerank: %s sums to 0", name)
	}
	for i, x := range v {
		out[i] = x / s
	}
	return out, nil
}
