package engine

import (
	"fmt"
	"math"
)

// Propagation is the result of Propagate.
type Propagation struct {
	Score      []float64
	Iterations int
	// Delta is the largest change in the last sweep; every score is
	// within Delta·α/(1−α) of the exact fixed point.
	Delta float64
}

// Propagate solves p = (1−α)·r + α·W·p from p = (1−α)·r until the largest
// change in a sweep is below the tolerance. See PropagateFrom.
func Propagate(op *Operator, r []float64, pp *PropagationParams, workers int) (*Propagation, error) {
	return PropagateFrom(op, r, nil, pp, workers)
}

// PropagateFrom solves p = (1−α)·r + α·W·p starting from start (nil means
// (1−α)·r), for example a previous run's scores. One sweep updates the
// operator's phases in order (block Gauss–Seidel): every node of a phase
// from the values of the previous phases' nodes as just updated and of its
// own phase's as they were before the sweep. With the default phases
// (enterprises, then persons and group nodes, which only neighbour
// enterprises), a sweep does the work of one Jacobi step and converges
// about twice as fast. Each node's new value is a sum in a fixed order and
// the phases and chunks are fixed, so the result is bit-identical with any
// number of workers.
//
// Since W ≥ 0 with row sums ≤ 1, a sweep contracts the max-norm error by α
// at least (each new value is α times a weighted mean of errors no larger
// than the largest), so when the largest change δ of a sweep is below the
// tolerance every score is within δ·α/(1−α) of the fixed point. The fixed
// point lies in [0,1], is monotone in r and is 0 wherever no node with
// r > 0 can reach.
func PropagateFrom(op *Operator, r, start []float64, pp *PropagationParams, workers int) (*Propagation, error) {
	n := len(r)
	a := pp.Alpha
	x := make([]float64, n)
	if start != nil {
		if len(start) != n {
			return nil, fmt.Errorf("propagation: start vector has %d entries for %d nodes", len(start), n)
		}
		copy(x, start)
	} else {
		for i, v := range r {
			x[i] = (1 - a) * v
		}
	}
	xn := make([]float64, n)
	phases := op.Phases
	if len(phases) == 0 {
		phases = [][]int32{nil}
	}
	deltas := make([]float64, numChunks(n))
	for it := 1; it <= pp.MaxIterations; it++ {
		delta := 0.0
		for _, ph := range phases {
			m := n
			if ph != nil {
				m = len(ph)
			}
			parallelChunks(m, workers, func(c, lo, hi int) {
				d := 0.0
				off, src, wt := op.Off, op.Src, op.Wt
				for i := lo; i < hi; i++ {
					v := int32(i)
					if ph != nil {
						v = ph[i]
					}
					// The row as two slices of one length: the loop then
					// runs without bounds checks on the weights (a quarter
					// of a sweep's time at 1 M).
					b, e := off[v], off[v+1]
					row, w := src[b:e], wt[b:e:e]
					w = w[:len(row)]
					s := 0.0
					for k, u := range row {
						s += w[k] * x[u]
					}
					nv := (1-a)*r[v] + a*s
					d = math.Max(d, math.Abs(nv-x[v]))
					xn[v] = nv
				}
				deltas[c] = d
			})
			for _, d := range deltas[:numChunks(m)] {
				delta = math.Max(delta, d)
			}
			if ph == nil {
				x, xn = xn, x
				continue
			}
			parallelChunks(m, workers, func(_, lo, hi int) {
				for _, v := range ph[lo:hi] {
					x[v] = xn[v]
				}
			})
		}
		if delta < pp.Tolerance {
			return &Propagation{Score: x, Iterations: it, Delta: delta}, nil
		}
	}
	return nil, fmt.Errorf("propagation did not reach tolerance %g in %d iterations", pp.Tolerance, pp.MaxIterations)
}
