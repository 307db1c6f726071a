package engine

// Operator is the diffusion matrix W in pull form: node v receives
// W[v][Src[k]] = Wt[k] for k in [Off[v], Off[v+1]). Each row sums to at most 1.
type Operator struct {
	Off []int64
	Src []int32
	Wt  []float64
	// Rev is the transpose (who receives from v, and with what weight),
	// for pushes; RevOff and RevDst share Off and Src (see BuildOperator).
	RevOff []int64
	RevDst []int32
	RevWt  []float64
	// Phases are the node ids Propagate updates in turn within a sweep
	// (block Gauss–Seidel); empty means one phase of every node (Jacobi).
	// BuildOperator makes two: enterprises, then every other node.
	Phases [][]int32
}

// weigher gives the raw weights with which an edge passes risk forward
// (From → To) and backward (To → From) on day today; an edge that starts
// after today passes nothing. Officer weights are looked up by title once.
type weigher struct {
	w                *RelWeights
	officer          []float64 // by title code
	today            Day
	controlThreshold float64
}

func newWeigher(g *Graph, p *Params, today Day) *weigher {
	w := &weigher{w: &p.Propagation.Weights, today: today, controlThreshold: p.Ownership.ControlThreshold}
	for _, t := range g.Titles {
		w.officer = append(w.officer, w.w.officer(t))
	}
	return w
}

func (x *weigher) weights(e *Edge) (fwd, back float64) {
	w := x.w
	if e.Since != NoDay && e.Since > x.today {
		return 0, 0
	}
	former := 1.0
	if e.Until != NoDay && e.Until <= x.today {
		former = w.FormerRoleFactor
	}
	switch e.Type {
	case EdgeHolds:
		r := float64(e.Ratio)
		if r > x.controlThreshold {
			fwd = w.ControlDown
		} else {
			fwd = w.MinorityDown * r
		}
		return fwd, w.HolderUp * r
	case EdgeLegalRep:
		return w.LegalRepDown * former, w.LegalRepUp * former
	case EdgeOfficer:
		o := x.officer[e.Title] * former
		return o, o
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
//
// The transpose needs no second structure: node v's row lists, for each of
// its edges, the other end u (v receives from u); u receives from v over
// the same edge in the other direction. So the transpose has the same
// offsets and endpoints (RevOff = Off, RevDst = Src) and only its weights
// differ: RevWt[k] is the weight of the edge in the other end's row.
//
// Each edge end is read and weighed once: a row's raw weights are written
// where they go, summed in row order and divided by the row's norm while
// the row is still in cache (the transpose's raw weights, which need the
// other end's norm, are divided in a second pass, in entry order). Both
// passes run in parallel chunks without scattered writes. The result is the same,
// bit for bit, as when norms and weights were two passes over the edges
// (TestOperatorMatchesReference): the same sums in the same order, the
// same divisions (a row's division by a norm of 1 is skipped: x/1 is x).
func BuildOperator(g *Graph, p *Params, today Day) *Operator {
	return buildOperator(g, p, today, true)
}

// BuildPullOperator is BuildOperator without the transposed weights
// (RevWt nil), which only pushes (PropagatePush) read: a full run saves 8
// bytes per relationship end.
func BuildPullOperator(g *Graph, p *Params, today Day) *Operator {
	return buildOperator(g, p, today, false)
}

func buildOperator(g *Graph, p *Params, today Day, transpose bool) *Operator {
	n := g.N()
	weigh := newWeigher(g, p, today)
	op := &Operator{Off: make([]int64, n+1)}
	for v := 0; v < n; v++ {
		op.Off[v+1] = op.Off[v] + int64(g.OutOff[v+1]-g.OutOff[v]) + int64(g.InOff[v+1]-g.InOff[v])
	}
	m := op.Off[n]
	op.Src, op.Wt = make([]int32, m), make([]float64, m)
	var norm []float64 // the rows' norms, max(1, Σ raw weights received)
	if transpose {
		op.RevWt = make([]float64, m)
		op.RevOff, op.RevDst = op.Off, op.Src
		norm = make([]float64, n)
	}
	parallelChunks(n, p.Workers, func(_, lo, hi int) {
		src, wt, rev := op.Src, op.Wt, op.RevWt
		for v := lo; v < hi; v++ {
			k0 := op.Off[v]
			k := k0
			sum := 0.0
			for i := g.OutOff[v]; i < g.OutOff[v+1]; i++ { // v → b: v receives backward
				e := &g.Edges[i]
				fwd, back := weigh.weights(e)
				src[k], wt[k] = e.To, back
				if transpose {
					rev[k] = fwd
				}
				sum += back
				k++
			}
			for _, ei := range g.InEdges(int32(v)) { // a → v: v receives forward
				e := &g.Edges[ei]
				fwd, back := weigh.weights(e)
				src[k], wt[k] = e.From, fwd
				if transpose {
					rev[k] = back
				}
				sum += fwd
				k++
			}
			if d := max(1, sum); d != 1 {
				for j := k0; j < k; j++ {
					wt[j] /= d
				}
			}
			if transpose {
				norm[v] = max(1, sum)
			}
		}
	})
	if transpose {
		parallelChunks(n, p.Workers, func(_, lo, hi int) {
			src, rev := op.Src, op.RevWt
			for k := op.Off[lo]; k < op.Off[hi]; k++ {
				rev[k] /= norm[src[k]] // no branch on the loaded norm: x/1 is x
			}
		})
	}
	op.Phases = [][]int32{make([]int32, 0, g.NumEnterprises), make([]int32, 0, n-g.NumEnterprises)}
	for v := range n {
		if g.Kinds[v] == NodeEnterprise {
			op.Phases[0] = append(op.Phases[0], int32(v))
		} else {
			op.Phases[1] = append(op.Phases[1], int32(v))
		}
	}
	return op
}
