package engine

// Operator is the diffusion matrix W in pull form: node v receives
// W[v][Src[k]] = Wt[k] for k in [Off[v], Off[v+1]). Each row sums to at most 1.
type Operator struct {
	Off []int64
	Src []int32
	Wt  []float64
	// Rev is the transpose (who receives from v), for reverse pushes.
	RevOff []int64
	RevDst []int32
	RevWt  []float64
	// Phases are the node ids Propagate updates in turn within a sweep
	// (block Gauss–Seidel); empty means one phase of every node (Jacobi).
	// BuildOperator makes two: enterprises, then every other node.
	Phases [][]int32
}

// edgeWeights returns the raw weights with which an edge passes risk
// forward (From → To) and backward (To → From) on day today; an edge that
// starts after today passes nothing.
func edgeWeights(w *RelWeights, g *Graph, e *Edge, today Day, controlThreshold float64) (fwd, back float64) {
	if e.Since != NoDay && e.Since > today {
		return 0, 0
	}
	former := 1.0
	if e.Until != NoDay && e.Until <= today {
		former = w.FormerRoleFactor
	}
	switch e.Type {
	case EdgeHolds:
		r := float64(e.Ratio)
		if r > controlThreshold {
			fwd = w.ControlDown
		} else {
			fwd = w.MinorityDown * r
		}
		return fwd, w.HolderUp * r
	case EdgeLegalRep:
		return w.LegalRepDown * former, w.LegalRepUp * former
	case EdgeOfficer:
		x := w.officer(g.Titles[e.Title]) * former
		return x, x
	case EdgeBranch:
		return w.Branch, w.Branch
	case EdgeAddress:
		return w.SharedAddress, w.SharedAddress
	case EdgePhone:
		return w.SharedPhone, w.SharedPhone
	case EdgeEmail:
		return w.SharedEmail, w.SharedEmail
	}
	return 0, 0
}

// BuildOperator builds W on day today: for every relationship the typed,
// direction-aware raw weights, then each row divided by max(1, row sum).
func BuildOperator(g *Graph, p *Params, today Day) *Operator {
	n := g.N()
	w := &p.Propagation.Weights
	ct := p.Ownership.ControlThreshold
	op := &Operator{Off: make([]int64, n+1)}
	for v := 0; v < n; v++ {
		op.Off[v+1] = op.Off[v] + (g.OutOff[v+1] - g.OutOff[v]) + (g.InOff[v+1] - g.InOff[v])
	}
	m := op.Off[n]
	op.Src, op.Wt = make([]int32, m), make([]float64, m)
	parallelChunks(n, p.Workers, func(_, lo, hi int) {
		for v := lo; v < hi; v++ {
			k := op.Off[v]
			sum := 0.0
			for i := g.OutOff[v]; i < g.OutOff[v+1]; i++ { // v → b: v receives backward
				e := &g.Edges[i]
				_, back := edgeWeights(w, g, e, today, ct)
				op.Src[k], op.Wt[k] = e.To, back
				sum += back
				k++
			}
			for _, ei := range g.InEdges(int32(v)) { // a → v: v receives forward
				e := &g.Edges[ei]
				fwd, _ := edgeWeights(w, g, e, today, ct)
				op.Src[k], op.Wt[k] = e.From, fwd
				sum += fwd
				k++
			}
			if sum > 1 {
				for j := op.Off[v]; j < k; j++ {
					op.Wt[j] /= sum
				}
			}
		}
	})
	op.Phases = [][]int32{make([]int32, 0, g.NumEnterprises), make([]int32, 0, n-g.NumEnterprises)}
	for v := range n {
		if g.Kinds[v] == NodeEnterprise {
			op.Phases[0] = append(op.Phases[0], int32(v))
		} else {
			op.Phases[1] = append(op.Phases[1], int32(v))
		}
	}
	// Transpose.
	op.RevOff = make([]int64, n+1)
	for _, s := range op.Src {
		op.RevOff[s+1]++
	}
	for v := 0; v < n; v++ {
		op.RevOff[v+1] += op.RevOff[v]
	}
	op.RevDst, op.RevWt = make([]int32, m), make([]float64, m)
	next := make([]int64, n)
	copy(next, op.RevOff[:n])
	for v := 0; v < n; v++ {
		for k := op.Off[v]; k < op.Off[v+1]; k++ {
			s := op.Src[k]
			op.RevDst[next[s]], op.RevWt[next[s]] = int32(v), op.Wt[k]
			next[s]++
		}
	}
	return op
}
