package engine

import (
	"context"
	"fmt"
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
	// promoted run and settles them by a local push (PropagatePush with
	// ε = α·tolerance, so the bound on every score is the full run's,
	// tolerance·α/(1−α)); Score then writes back only the entities whose
	// score, grade or flags changed. Everything else is recomputed.
	Incremental bool
}

// Result is everything a run computed, held in memory for the API.
type Result struct {
	Graph      *Graph
	Params     Params
	Today      Day
	Intrinsic  *Intrinsic
	Operator   *Operator
	Score      []float64
	Grade      []string
	Iterations int
	// Pushes is the number of pushes of an incremental run (0 otherwise).
	Pushes    int
	Ownership *Ownership
	Flags     *Flags
	Groups    Groups
	// Timings of each step.
	Timings map[string]time.Duration

	written int // results written back by Results
}

// Run projects the graph from s and computes every result.
func Run(ctx context.Context, s store.Scanner, opts Options) (*Result, error) {
	if err := opts.Params.Validate(); err != nil {
		return nil, err
	}
	start := time.Now()
	project := Project
	if opts.Incremental {
		project = ProjectPrevious
	}
	g, err := project(ctx, s)
	if err != nil {
		return nil, err
	}
	res, err := Compute(ctx, g, opts)
	if err != nil {
		return nil, err
	}
	res.Timings["project"] = time.Since(start) - res.Timings["compute"]
	return res, nil
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
	r := &Result{Graph: g, Params: p, Today: today, Timings: map[string]time.Duration{}}
	began := time.Now()
	step := func(name string, f func() error) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		t := time.Now()
		err := f()
		r.Timings[name] = time.Since(t)
		return err
	}
	err := step("intrinsic", func() error { r.Intrinsic = ComputeIntrinsic(g, &p, today); return nil })
	if err == nil {
		err = step("operator", func() error { r.Operator = BuildOperator(g, &p, today); return nil })
	}
	if err == nil {
		err = step("propagate", func() error {
			pp := &p.Propagation
			if opts.Incremental && g.Previous != nil {
				x0 := startVector(g, r.Operator, r.Intrinsic.Risk, pp.Alpha)
				pr, err := PropagatePush(r.Operator, r.Intrinsic.Risk, x0, pp.Alpha, pp.Alpha*pp.Tolerance, pp.MaxIterations*max(g.N(), 1), p.Workers)
				if err == nil {
					r.Score, r.Pushes = pr.Score, pr.Iterations
				}
				return err
			}
			pr, err := Propagate(r.Operator, r.Intrinsic.Risk, pp, p.Workers)
			if err == nil {
				r.Score, r.Iterations = pr.Score, pr.Iterations
			}
			return err
		})
	}
	if err == nil {
		err = step("grades", func() error {
			r.Grade = make([]string, g.N())
			for v := range r.Grade {
				r.Grade[v] = p.Grades.Grade(r.Score[v])
			}
			return nil
		})
	}
	if err == nil {
		err = step("ownership", func() error { r.Ownership = ComputeOwnership(g, &p, today); return nil })
	}
	if err == nil {
		err = step("flags", func() error { r.Flags = DetectFlags(g, r.Ownership, &p, today); return nil })
	}
	if err == nil {
		err = step("groups", func() error {
			r.Groups.Control, r.Groups.ControlSize = ControlGroups(g, p.Ownership.ControlThreshold, today)
			if opts.Communities {
				r.Groups.Community, r.Groups.Modularity = Louvain(relationshipGraph(g), 1)
			}
			return nil
		})
	}
	if err != nil {
		return nil, err
	}
	r.Timings["compute"] = time.Since(began)
	return r, nil
}

// Explain decomposes the score of v.
func (r *Result) Explain(v int32) Explanation {
	return Explain(r.Graph, r.Operator, r.Intrinsic, r.Score, r.Params.Propagation.Alpha, v, r.Params.Propagation.TopK, r.Params.Propagation.ExplainEpsilon)
}
