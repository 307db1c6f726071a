package engine

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"riskgraph/models"
	"riskgraph/store"
)

// Options configure a run.
type Options struct {
	Params Params
	// Today is the reference date: records decided and relationships
	// started after it are ignored. Required; never the wall clock in tests.
	Today models.Date
	// Communities runs Louvain on the relationship graph (the slowest step).
	Communities bool
	// Incremental starts propagation from the scores stored by the last
	// promoted run and settles them by a local push, or by sweeps from
	// there when the change spreads (PropagateIncremental; the bound on
	// every score is PropagationParams.IncrementalBound, 1e-7 by default
	// against the full run's 1e-9); Score then writes
	// back only the entities whose score, grade or flags changed
	// (Result.Changed). Everything else is recomputed.
	Incremental bool
	// SameAs are the SAME_AS sets of enterprise keys, each projected as
	// one node (sameas.go). Score and Restore read them from the store.
	SameAs [][]string
	// Life is the credit file (objections, repairs, commitments: life.go);
	// Score and Restore read it from the store. Nil: none.
	Life *Life
	// Snapshot is the file of the projection snapshot Score keeps between
	// runs (persist.go, package snapshot): loaded and brought up to date
	// by the store's changes instead of a scan when it is whole and
	// current, rebuilt from a scan otherwise, and saved after the run.
	// Empty: none, every run scans.
	Snapshot string
	// SnapshotChanges is the largest share of the snapshot's rows that may
	// have changed for it to be used (0: DefaultSnapshotChanges).
	SnapshotChanges float64

	// previous makes Run keep the stored results (Graph.Previous) also
	// without Incremental: Score sets it for a run from a snapshot, whose
	// rows carry them, so that it writes back only what changed.
	previous bool
	// MemoryLimit, in bytes, is the soft limit on the process's Go memory
	// while Run projects and computes (debug.SetMemoryLimit; runs that
	// overlap keep the smallest limit asked for, and the process's own
	// limit is restored when the last of them returns). Without it the collector lets the
	// heap grow to twice what was live at its last cycle, so a run's
	// garbage (the scan's rows, ownership's vectors, propagation's
	// scratch) stays resident until it ends; with it the collector runs as
	// often as it must to stay under the limit, at the cost of CPU
	// (docs/scaling.md, "Memory limit"). Set it to the expected peak of
	// what the process keeps plus headroom: a limit below what is live
	// makes the collector run continuously (the runtime caps it at half
	// the CPU) without failing the run. 0: the process's own limit
	// (GOMEMLIMIT; none by default).
	MemoryLimit int64
}

// Result is everything a run computed, held in memory for the API.
type Result struct {
	Graph     *Graph
	Params    Params
	Today     Day
	Intrinsic *Intrinsic
	Operator  *Operator
	Score     []float64
	Grade     []Grade // by node: the letter, one byte (Grade.String)
	// Iterations is the number of sweeps (of an incremental run: those
	// after its pushes, 0 when the push settled).
	Iterations int
	// Pushes is the number of pushes of an incremental run (0 otherwise).
	Pushes int
	// Incremental is true when the scores were settled by pushes from
	// the stored ones (Options.Incremental).
	Incremental bool
	// ExactStart is the number of entities whose incremental start was
	// the score the last run computed (Previous.Exact) rather than the
	// stored one.
	ExactStart int
	Ownership  *Ownership
	Flags      *Flags
	Groups     Groups
	// Timings of each step.
	Timings map[string]time.Duration
	// Snapshot says how a Score with Options.Snapshot got its projection.
	Snapshot *SnapshotInfo

	// OwnershipRun says whether ownership was incremental, and how much
	// it computed (ownership_incr.go).
	OwnershipRun OwnershipStats

	written int // results written back by Results
}

// Run projects the graph from s and computes every result.
func Run(ctx context.Context, s store.Scanner, opts Options) (*Result, error) {
	if err := opts.Params.Validate(); err != nil {
		return nil, err
	}
	if opts.MemoryLimit < 0 {
		return nil, fmt.Errorf("engine: memory limit %d bytes: must be 0 (none) or positive", opts.MemoryLimit)
	}
	if opts.MemoryLimit > 0 {
		defer limitMemory(opts.MemoryLimit)()
	}
	start := time.Now()
	g, err := projectFor(ctx, s, &opts)
	if err != nil {
		return nil, err
	}
	// The projection leaves a third of what it allocated as garbage (the
	// unsorted edge array, page buffers, sort lists); collecting it now
	// lets the steps below reuse that memory instead of growing the heap.
	runtime.GC()
	res, err := Compute(ctx, g, opts)
	if err != nil {
		return nil, err
	}
	res.Timings["project"] = time.Since(start) - res.Timings["compute"]
	return res, nil
}

// memoryLimit counts the runs under Options.MemoryLimit, so that runs that
// overlap (serve's API and its scheduler) put back the process's own limit
// only when the last of them ends, whatever the order they end in.
var memoryLimit struct {
	sync.Mutex
	runs  int
	saved int64 // the process's limit before the first run
}

// limitMemory sets the process's memory limit to bytes (the smallest
// asked for while runs overlap) and returns the function that ends it.
func limitMemory(bytes int64) (end func()) {
	m := &memoryLimit
	m.Lock()
	defer m.Unlock()
	if m.runs == 0 {
		m.saved = debug.SetMemoryLimit(bytes)
	} else if debug.SetMemoryLimit(-1) > bytes {
		debug.SetMemoryLimit(bytes)
	}
	m.runs++
	return func() {
		m.Lock()
		defer m.Unlock()
		if m.runs--; m.runs == 0 {
			debug.SetMemoryLimit(m.saved)
		}
	}
}

// Compute computes every result on a projected graph.
func Compute(ctx context.Context, g *Graph, opts Options) (*Result, error) {
	p := opts.Params
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if opts.Today.IsZero() {
		return nil, fmt.Errorf("engine: Options.Today is required")
	}
	today := DayOf(opts.Today)
	applyLife(g, &p.Records, opts.Life, today)
	r := &Result{Graph: g, Params: p, Today: today, Timings: map[string]time.Duration{}}
	began := time.Now()
	// Two chains of steps run at the same time; both only read the graph.
	// Scores: intrinsic risk, the operator, propagation, grades (these use
	// every worker). Structure: ownership (one core), flags, groups.
	scores := stepsOf(ctx)
	structure := stepsOf(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		structure.do("ownership", func() error { r.Ownership, r.OwnershipRun = ownershipFor(g, &p, today); return nil })
		structure.do("flags", func() error { r.Flags = DetectFlags(g, r.Ownership, &p, today); return nil })
		structure.do("groups", func() error {
			r.Groups.Control, r.Groups.ControlSize = ControlGroups(g, p.Ownership.ControlThreshold, today)
			if opts.Communities {
				r.Groups.Community, r.Groups.Modularity = Louvain(relationshipGraph(g), 1)
			}
			return nil
		})
	})
	scores.do("intrinsic", func() error { r.Intrinsic = ComputeIntrinsic(g, &p, today); return nil })
	scores.do("operator", func() error {
		if opts.Incremental {
			r.Operator = BuildOperator(g, &p, today) // pushes read the transpose
		} else {
			r.Operator = BuildPullOperator(g, &p, today)
		}
		return nil
	})
	scores.do("propagate", func() error {
		pp := &p.Propagation
		if opts.Incremental && g.Previous != nil {
			x0, fromExact := startVector(g, r.Operator, r.Intrinsic.Risk, pp.Alpha)
			r.ExactStart = fromExact
			g.Previous.Exact = nil // only a start: not kept with the result
			pr, err := PropagateIncremental(r.Operator, r.Intrinsic.Risk, x0, pp, p.Workers)
			if err == nil {
				r.Score, r.Pushes, r.Iterations, r.Incremental = pr.Score, pr.Pushes, pr.Sweeps, true
			}
			return err
		}
		pr, err := Propagate(r.Operator, r.Intrinsic.Risk, pp, p.Workers)
		if err == nil {
			r.Score, r.Iterations = pr.Score, pr.Iterations
		}
		return err
	})
	scores.do("grades", func() error {
		r.Grade = make([]Grade, g.N())
		for v := range r.Grade {
			r.Grade[v] = p.Grades.GradeOf(r.Score[v])
		}
		return nil
	})
	wg.Wait()
	if err := cmp.Or(scores.err, structure.err); err != nil {
		return nil, err
	}
	maps.Copy(r.Timings, scores.timings)
	maps.Copy(r.Timings, structure.timings)
	r.Timings["compute"] = time.Since(began)
	return r, nil
}

// steps runs the steps of one chain in order, timing each, until one fails
// or ctx ends.
type steps struct {
	ctx     context.Context
	timings map[string]time.Duration
	err     error
}

func stepsOf(ctx context.Context) *steps {
	return &steps{ctx: ctx, timings: map[string]time.Duration{}}
}

func (s *steps) do(name string, f func() error) {
	if s.err == nil {
		s.err = s.ctx.Err()
	}
	if s.err != nil {
		return
	}
	t := time.Now()
	s.err = f()
	s.timings[name] = time.Since(t)
}

// Explain decomposes the score of v with bounded work (ExplainBounded).
func (r *Result) Explain(v int32) Explanation {
	pp := &r.Params.Propagation
	return ExplainBounded(r.Graph, r.Operator, r.Intrinsic, r.Score, pp.Alpha, v, pp.TopK, pp.ExplainTolerance*r.Score[v], pp.ExplainMaxWork)
}
