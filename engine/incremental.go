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
//
// Exact, when not nil, holds per node the score the last run computed (a
// projection snapshot keeps it beside the stored results), which the
// stored score lags by up to the write tolerance; NaN where not known. It
// is only ever a start for the propagation (startVector), never what a
// result is compared with: Changed compares with Score, the stored value.
// Compute drops it once the propagation has started.
type Previous struct {
	Score []float64
	Flags []uint16
	Exact []float64
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
	if err := b.checkSize(); err != nil {
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
	if err := checkPush(op, r, start, eps); err != nil {
		return nil, err
	}
	x := slices.Clone(start)
	pu := newPusher(op, r, x, alpha, eps, workers)
	pushes, settled := pu.run(maxPushes, math.MaxInt)
	if !settled {
		return nil, fmt.Errorf("propagation: push did not settle within %d pushes", maxPushes)
	}
	return &Propagation{Score: x, Iterations: pushes, Delta: pu.largest()}, nil
}

// PushWorkSweeps is how much work PropagateIncremental lets its pushes do
// before it changes to sweeps, in sweeps' worth of edge visits (a sweep
// visits every edge once). With the falling thresholds one sweep's worth
// does less of both than the rule before (a push at ε, then at 1e-5,
// each within one sweep's worth): on a 1 % day at 1 M 1.9 M pushes + 10-11
// sweeps against 2.6-3.6 M + 11, and a 0.01 % day from the last run's
// exact scores settles by pushes alone at 200 000. Smaller budgets trade
// pushes for sweeps (¼: 0.46 M + 14 at 1 M) at about the same CPU; a push
// runs on one core, a sweep on every worker, but at 1 M a sweep is bound
// by memory (docs/scaling.md, "Compute").
const PushWorkSweeps = 1.0

// PushFirstResidual and PushResidualStep are the thresholds of
// PropagateIncremental's pushes: first every residual above
// PushFirstResidual is pushed, then every one above a PushResidualStep-th
// of that, and so on down to ε. The large residuals of the day's changes
// are so settled first, each push moving much, and the budget is spent
// where it lowers the largest error most — which sets the number of
// sweeps that follow (each one halves it, about).
const (
	PushFirstResidual = 1e-2
	PushResidualStep  = 10
)

// Incremental is the result of PropagateIncremental.
type Incremental struct {
	Propagation
	// Pushes made, and Sweeps after them (0 when the push settled).
	Pushes, Sweeps int
	// Frontier is the number of nodes whose residual exceeded ε at the
	// start.
	Frontier int
}

// PropagateIncremental settles the scores from start (the previous
// solution, startVector) after a change of the data. It pushes
// (PropagatePush) at a falling threshold — the residuals above
// PushFirstResidual, then above each PushResidualStep-th of it, down to
// ε = α·t, with t the incremental tolerance (PropagationParams.
// IncrementalTol) — while all its pushes' edge visits stay within
// PushWorkSweeps sweeps' worth; a change that stays local settles so,
// every residual at most ε. Otherwise (a change that spreads, or a start
// that is off everywhere, as stored scores that lag the last run's by up
// to the write tolerance) it sweeps from where the pushes stopped
// (PropagateFrom, which converges from any start) until the largest
// change in a sweep is below t. Either way every score is within the
// incremental bound (PropagationParams.IncrementalBound, t·α/(1−α)) of the
// exact fixed point, whatever the start.
func PropagateIncremental(op *Operator, r, start []float64, pp *PropagationParams, workers int) (*Incremental, error) {
	inc := *pp
	inc.Tolerance = pp.IncrementalTol()
	return propagateStaged(op, r, start, &inc, workers, PushWorkSweeps, PushFirstResidual, PushResidualStep)
}

// propagateStaged is PropagateIncremental with the budget (in sweeps'
// worth of edge visits), the first threshold and the step given, settling
// to pp.Tolerance.
func propagateStaged(op *Operator, r, start []float64, pp *PropagationParams, workers int, workSweeps, first, step float64) (*Incremental, error) {
	eps := pp.Alpha * pp.Tolerance
	if err := checkPush(op, r, start, eps); err != nil {
		return nil, err
	}
	if !(step > 1) {
		return nil, fmt.Errorf("propagation: push threshold step %g must exceed 1", step)
	}
	x := slices.Clone(start)
	theta := max(first, eps)
	pu := newPusher(op, r, x, pp.Alpha, theta, workers)
	res := &Incremental{}
	for _, q := range pu.rho {
		if math.Abs(q) > eps {
			res.Frontier++
		}
	}
	budget := int(workSweeps * float64(len(op.Src)))
	for {
		pushes, settled := pu.run(math.MaxInt, budget)
		res.Pushes += pushes
		if !settled {
			break
		}
		if theta == eps {
			res.Score, res.Delta = x, pu.largest()
			return res, nil
		}
		theta = max(theta/step, eps)
		pu.requeue(theta)
	}
	sw, err := PropagateFrom(op, r, x, pp, workers)
	if err != nil {
		return nil, err
	}
	res.Propagation, res.Sweeps = *sw, sw.Iterations
	return res, nil
}

func checkPush(op *Operator, r, start []float64, eps float64) error {
	if len(start) != len(r) {
		return fmt.Errorf("propagation: start vector has %d entries for %d nodes", len(start), len(r))
	}
	if !(eps > 0) {
		return fmt.Errorf("propagation: push threshold %g must be positive", eps)
	}
	if op.RevWt == nil {
		return fmt.Errorf("propagation: pushes need the operator's transpose (BuildOperator, not BuildPullOperator)")
	}
	return nil
}

// pusher is the state of a push: the scores x it moves, their residuals,
// and the FIFO queue of nodes whose residual exceeded ε.
type pusher struct {
	op         *Operator
	x, rho     []float64
	alpha, eps float64
	inQ        []bool
	queue      []int32
	head       int
	work       int // edge visits so far
}

// newPusher computes the residual of x (updated in place by run) and
// queues the nodes over ε in id order.
func newPusher(op *Operator, r, x []float64, alpha, eps float64, workers int) *pusher {
	n := len(r)
	pu := &pusher{op: op, x: x, rho: make([]float64, n), alpha: alpha, eps: eps, inQ: make([]bool, n)}
	rho := pu.rho
	parallelChunks(n, workers, func(_, lo, hi int) {
		for v := lo; v < hi; v++ {
			s := 0.0
			for k := op.Off[v]; k < op.Off[v+1]; k++ {
				s += op.Wt[k] * x[op.Src[k]]
			}
			rho[v] = (1-alpha)*r[v] + alpha*s - x[v]
		}
	})
	for v := range rho {
		if math.Abs(rho[v]) > eps {
			pu.queue = append(pu.queue, int32(v))
			pu.inQ[v] = true
		}
	}
	return pu
}

// run pushes until no residual exceeds ε (settled) or it has made
// maxPushes pushes or the pusher has visited more than maxWork edges in
// all.
func (pu *pusher) run(maxPushes, maxWork int) (pushes int, settled bool) {
	op, x, rho, alpha, eps := pu.op, pu.x, pu.rho, pu.alpha, pu.eps
	work := pu.work
	defer func() { pu.work = work }()
	for ; pu.head < len(pu.queue); pu.head++ {
		if pushes >= maxPushes || work > maxWork {
			return pushes, false
		}
		u := pu.queue[pu.head]
		pu.inQ[u] = false
		q := rho[u]
		if math.Abs(q) <= eps {
			continue
		}
		pushes++
		x[u] += q
		rho[u] = 0
		b, e := op.RevOff[u], op.RevOff[u+1]
		work += int(e - b)
		for k := b; k < e; k++ {
			v := op.RevDst[k]
			rho[v] += alpha * op.RevWt[k] * q
			if !pu.inQ[v] && math.Abs(rho[v]) > eps {
				pu.inQ[v] = true
				pu.queue = append(pu.queue, v)
			}
		}
		// Drop the consumed head of the queue now and then.
		if pu.head >= 1<<16 && pu.head*2 >= len(pu.queue) {
			pu.queue = append(pu.queue[:0], pu.queue[pu.head+1:]...)
			pu.head = -1
		}
	}
	return pushes, true
}

// requeue makes eps the push threshold and queues, in id order, the nodes
// whose residual exceeds it.
func (pu *pusher) requeue(eps float64) {
	pu.eps, pu.queue, pu.head = eps, pu.queue[:0], 0
	clear(pu.inQ)
	for v, q := range pu.rho {
		if math.Abs(q) > eps {
			pu.queue = append(pu.queue, int32(v))
			pu.inQ[v] = true
		}
	}
}

// largest is the largest residual left.
func (pu *pusher) largest() float64 {
	d := 0.0
	for _, v := range pu.rho {
		d = math.Max(d, math.Abs(v))
	}
	return d
}

// startVector is the previous solution on g: for an entity with a stored
// result, the score the last run computed when known (Previous.Exact),
// else the stored score; for nodes without one (group nodes, new
// entities) one evaluation of the fixed-point equation from their
// neighbours' start values (exact for group nodes, which have no records
// and neighbour only enterprises). fromExact counts the entities started
// from the last run's computed score.
//
// Any start is safe: the push computes the residual of the start in the
// new system exactly and settles it, and the sweeps converge from any
// start, so the bound on the result does not depend on it; a start close
// to the solution only makes the work smaller.
func startVector(g *Graph, op *Operator, r []float64, alpha float64) (x []float64, fromExact int) {
	pv := g.Previous
	x = make([]float64, g.N())
	var missing []int32
	for v, s := range pv.Score {
		switch {
		case math.IsNaN(s):
			missing = append(missing, int32(v))
		case pv.Exact != nil && !math.IsNaN(pv.Exact[v]):
			x[v] = pv.Exact[v]
			fromExact++
		default:
			x[v] = s
		}
	}
	for _, v := range missing {
		s := 0.0
		for k := op.Off[v]; k < op.Off[v+1]; k++ {
			if u := op.Src[k]; !math.IsNaN(pv.Score[u]) {
				s += op.Wt[k] * x[u]
			}
		}
		x[v] = (1-alpha)*r[v] + alpha*s
	}
	return x, fromExact
}

// Changed reports whether entity v's result must be written back: it has
// no stored result, or its score moved from the stored one by more than
// PropagationParams.WriteThreshold (the write tolerance, at least the
// propagation's error bound), or its grade or flags changed. The move is
// measured from the stored score, never from the previous run's computed
// one, so scores that creep by less than the threshold each day are
// written once their sum exceeds it: a stored score is always within the
// threshold of the run's. Every
// run that knows the stored results (Graph.Previous: an incremental run, a
// run from a projection snapshot) writes back by this rule (Results).
func (r *Result) Changed(v int32) bool {
	pv := r.Graph.Previous
	if pv == nil || math.IsNaN(pv.Score[v]) {
		return true
	}
	return math.Abs(pv.Score[v]-r.Score[v]) > r.Params.Propagation.WriteThreshold() ||
		r.Params.Grades.GradeOf(pv.Score[v]) != r.Grade[v] ||
		pv.Flags[v] != r.Flags.maskOf(v)
}

// maskOf is flagMask(f.KindsOf(v)) without the list: the bits over
// FlagKinds of v's findings' kinds.
func (f *Flags) maskOf(v int32) uint16 {
	var m uint16
	for _, i := range f.of(v) {
		if k := slices.Index(FlagKinds, f.Findings[i].Kind); k >= 0 {
			m |= 1 << k
		}
	}
	return m
}
