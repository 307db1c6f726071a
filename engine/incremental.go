package engine

import (
	"context"
	"fmt"
	"math"
	"slices"

	"riskgraph/models"
	"riskgraph/store"
)

// Previous is what the store holds from the last promoted run, captured by
// ProjectPrevious for an incremental update: per node, the stored score
// (NaN where the node has none: group nodes, entities added since) and the
// stored flags as a bit mask over FlagKinds.
type Previous struct {
	Score []float64
	Flags []uint16
}

// ProjectPrevious is Project that also keeps each entity's stored result
// (models.Risk on the scanned enterprises and persons) in Graph.Previous.
func ProjectPrevious(ctx context.Context, s store.Scanner) (*Graph, error) {
	return projectPrevious(ctx, s, nil)
}

// projectPrevious is ProjectPrevious with SAME_AS sets (ProjectSameAs).
func projectPrevious(ctx context.Context, s store.Scanner, sets [][]string) (*Graph, error) {
	b := newBuilder()
	b.setSameAs(sets)
	b.g.Previous = &Previous{}
	if err := scanPages(ctx, s, b); err != nil {
		return nil, err
	}
	return b.finish(), nil
}

// setPrevious records the stored result of node id.
func (pv *Previous) set(id int32, r *models.Risk) {
	if r == nil {
		return
	}
	pv.Score[id] = r.Score
	pv.Flags[id] = flagMask(r.Flags)
}

func flagMask(kinds []string) uint16 {
	var m uint16
	for _, k := range kinds {
		if i := slices.Index(FlagKinds, k); i >= 0 {
			m |= 1 << i
		}
	}
	return m
}

// PropagatePush updates scores after a change of the data by a local push
// (Gauss–Southwell) instead of sweeping every node. start is the previous
// solution on the new projection (the stored scores). It computes the exact
// residual of start in the new system,
//
//	ρ = (1−α)·r + α·W·x − x
//
// which is non-zero only around what changed (new or lifted records, new
// relationships, a node without a stored score) and the previous run's own
// convergence error, and then repeatedly moves the residual of a node u
// with |ρ_u| > ε into x_u, handing α·W_vu·ρ_u on to each node v that
// receives from u, until no residual exceeds ε. Nodes are taken first in id
// order, then in the order their residual crossed ε (a FIFO queue), so the
// result is deterministic.
//
// When it stops, every |ρ_v| ≤ ε, and since x* − x = Σ_k (αW)^k ρ with the
// rows of αW summing to at most α, every score is within ε/(1−α) of the
// exact fixed point. Iterations in the result counts the pushes.
func PropagatePush(op *Operator, r, start []float64, alpha, eps float64, maxPushes, workers int) (*Propagation, error) {
	n := len(r)
	if len(start) != n {
		return nil, fmt.Errorf("propagation: start vector has %d entries for %d nodes", len(start), n)
	}
	if !(eps > 0) {
		return nil, fmt.Errorf("propagation: push threshold %g must be positive", eps)
	}
	if op.RevWt == nil {
		return nil, fmt.Errorf("propagation: pushes need the operator's transpose (BuildOperator, not BuildPullOperator)")
	}
	x := slices.Clone(start)
	rho := make([]float64, n)
	parallelChunks(n, workers, func(_, lo, hi int) {
		for v := lo; v < hi; v++ {
			s := 0.0
			for k := op.Off[v]; k < op.Off[v+1]; k++ {
				s += op.Wt[k] * x[op.Src[k]]
			}
			rho[v] = (1-alpha)*r[v] + alpha*s - x[v]
		}
	})
	inQ := make([]bool, n)
	var queue []int32
	for v := range rho {
		if math.Abs(rho[v]) > eps {
			queue = append(queue, int32(v))
			inQ[v] = true
		}
	}
	pushes := 0
	for head := 0; head < len(queue); head++ {
		if pushes >= maxPushes {
			return nil, fmt.Errorf("propagation: push did not settle within %d pushes", maxPushes)
		}
		u := queue[head]
		inQ[u] = false
		q := rho[u]
		if math.Abs(q) <= eps {
			continue
		}
		pushes++
		x[u] += q
		rho[u] = 0
		for k := op.RevOff[u]; k < op.RevOff[u+1]; k++ {
			v := op.RevDst[k]
			rho[v] += alpha * op.RevWt[k] * q
			if !inQ[v] && math.Abs(rho[v]) > eps {
				inQ[v] = true
				queue = append(queue, v)
			}
		}
		// Drop the consumed head of the queue now and then.
		if head >= 1<<16 && head*2 >= len(queue) {
			queue = append(queue[:0], queue[head+1:]...)
			head = -1
		}
	}
	delta := 0.0
	for _, v := range rho {
		delta = math.Max(delta, math.Abs(v))
	}
	return &Propagation{Score: x, Iterations: pushes, Delta: delta}, nil
}

// startVector is the previous solution on g: stored scores, and for nodes
// without one (group nodes, new entities) one evaluation of the fixed-point
// equation from their neighbours' stored scores (exact for group nodes,
// which have no records and neighbour only enterprises).
func startVector(g *Graph, op *Operator, r []float64, alpha float64) []float64 {
	x := make([]float64, g.N())
	var missing []int32
	for v, s := range g.Previous.Score {
		if math.IsNaN(s) {
			missing = append(missing, int32(v))
			continue
		}
		x[v] = s
	}
	for _, v := range missing {
		s := 0.0
		for k := op.Off[v]; k < op.Off[v+1]; k++ {
			if p := g.Previous.Score[op.Src[k]]; !math.IsNaN(p) {
				s += op.Wt[k] * p
			}
		}
		x[v] = (1-alpha)*r[v] + alpha*s
	}
	return x
}

// Changed reports whether entity v's result must be written back: it has
// no stored result, or its score moved from the stored one by more than the
// propagation's error bound (PropagationParams.Bound: a smaller move is
// below what the run can tell apart), or its grade or flags changed. Every
// run that knows the stored results (Graph.Previous: an incremental run, a
// run from a projection snapshot) writes back by this rule (Results).
func (r *Result) Changed(v int32) bool {
	pv := r.Graph.Previous
	if pv == nil || math.IsNaN(pv.Score[v]) {
		return true
	}
	return math.Abs(pv.Score[v]-r.Score[v]) > r.Params.Propagation.Bound() ||
		r.Params.Grades.GradeOf(pv.Score[v]) != r.Grade[v] ||
		pv.Flags[v] != flagMask(r.Flags.KindsOf(v))
}
