package engine

import (
	"fmt"
	"math"
)

// Propagation is the result of Propagate.
type Propagation struct {
	Score      []float64
	Iterations int
	// Delta is the largest change in the last iteration; every score is
	// within Delta·α/(1−α) of the exact fixed point.
	Delta float64
}

// Propagate solves p = (1−α)·r + α·W·p by Jacobi iteration from p = (1−α)·r
// until the largest change is below the tolerance. Each node's new value is
// a sum in a fixed order, so the result is the same with any number of
// workers. Since W ≥ 0 and its rows sum to at most 1, p stays in [0,1], is
// monotone in r, and is 0 wherever no node with r > 0 can reach.
func Propagate(op *Operator, r []float64, pp *PropagationParams, workers int) (*Propagation, error) {
	n := len(r)
	a := pp.Alpha
	x := make([]float64, n)
	for i, v := range r {
		x[i] = (1 - a) * v
	}
	xn := make([]float64, n)
	deltas := make([]float64, numChunks(n))
	for it := 1; it <= pp.MaxIterations; it++ {
		parallelChunks(n, workers, func(c, lo, hi int) {
			d := 0.0
			for v := lo; v < hi; v++ {
				s := 0.0
				for k := op.Off[v]; k < op.Off[v+1]; k++ {
					s += op.Wt[k] * x[op.Src[k]]
				}
				nv := (1-a)*r[v] + a*s
				d = math.Max(d, math.Abs(nv-x[v]))
				xn[v] = nv
			}
			deltas[c] = d
		})
		x, xn = xn, x
		delta := 0.0
		for _, d := range deltas {
			delta = math.Max(delta, d)
		}
		if delta < pp.Tolerance {
			return &Propagation{Score: x, Iterations: it, Delta: delta}, nil
		}
	}
	return nil, fmt.Errorf("propagation did not reach tolerance %g in %d iterations", pp.Tolerance, pp.MaxIterations)
}
