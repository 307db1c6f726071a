package engine

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
