package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"riskgraph/models"
	"riskgraph/store"
)

// ScoreStore is what a scoring run needs from a store.
type ScoreStore interface {
	store.Scanner
	SameAsSource
	LifeSource
	store.ResultWriter
	store.RunStore
	store.ChangeFeed // for Options.Snapshot
	Generation(ctx context.Context) (uint64, error)
}

// WriteBatchSize is the number of results per WriteResults call, unless
// the store says otherwise (store.ResultBatchSizer).
const WriteBatchSize = 5000

// Summary is a run's summary, kept in the run history.
type Summary struct {
	Today       string `json:"today"`
	Nodes       int    `json:"nodes"`
	Enterprises int    `json:"enterprises"`
	Persons     int    `json:"persons"`
	Records     int    `json:"records"`
	Edges       int    `json:"edges"`
	// Iterations counts the propagation's sweeps (of an incremental run,
	// those after its pushes: Result.Iterations).
	Iterations  int  `json:"iterations"`
	Incremental bool `json:"incremental,omitempty"`
	Pushes      int  `json:"pushes,omitempty"`
	// ExactStart counts the entities an incremental run started from the
	// last run's computed score (a projection snapshot keeps it).
	ExactStart int `json:"exact_start,omitempty"`
	// Written is the number of entity results written back (an
	// incremental run writes only those that changed).
	Written     int              `json:"written"`
	Grades      Distribution     `json:"grades"`
	Flags       map[string]int   `json:"flags"`
	Groups      int              `json:"control_groups"` // groups of 2 or more
	Communities int              `json:"communities,omitempty"`
	Modularity  float64          `json:"modularity,omitempty"`
	TimingsMS   map[string]int64 `json:"timings_ms"`
	// Snapshot says how the run got its projection, when it keeps a
	// projection snapshot (Options.Snapshot).
	Snapshot *SnapshotInfo `json:"snapshot,omitempty"`
}

// Summarize describes the result.
func (r *Result) Summarize() Summary {
	g := r.Graph
	s := Summary{Today: r.Today.Date().String(), Nodes: g.N(), Enterprises: g.NumEnterprises, Persons: g.NumPersons,
		Records: len(g.Records), Edges: len(g.Edges), Iterations: r.Iterations, Pushes: r.Pushes,
		Incremental: r.Incremental, ExactStart: r.ExactStart, Written: r.written,
		Grades: GradeDistribution(g, r.Grade), Flags: r.Flags.Count(), TimingsMS: map[string]int64{},
		Modularity: r.Groups.Modularity}
	for v, grp := range r.Groups.Control {
		if int32(v) == grp && r.Groups.ControlSize[v] >= 2 {
			s.Groups++
		}
	}
	if r.Groups.Community != nil {
		seen := map[int32]bool{}
		for _, c := range r.Groups.Community {
			seen[c] = true
		}
		s.Communities = len(seen)
	}
	for k, d := range r.Timings {
		s.TimingsMS[k] = d.Milliseconds()
	}
	s.Snapshot = r.Snapshot
	return s
}

// Results renders the result of every enterprise and person for run runID
// (when the stored results are known — an incremental run, a run from a
// projection snapshot — of those whose result changed: Changed), in
// node order, in batches of WriteBatchSize. A batch's results (details and
// their explanations) are rendered on Params.Workers goroutines while fn
// takes the batch before it: fn is called for one batch at a time, in
// order, and a batch it was given is reused once it has returned. The
// entities to write are found first, on Params.Workers goroutines too.
func (r *Result) Results(runID string, fn func([]models.RiskResult) error) error {
	return r.resultsIn(runID, WriteBatchSize, fn)
}

// resultsIn is Results in batches of size — of at most an eighth of the
// results when size is above WriteBatchSize, so that a small day's few
// results still come in several batches, each rendered while fn takes
// the one before.
func (r *Result) resultsIn(runID string, size int, fn func([]models.RiskResult) error) error {
	g := r.Graph
	vs := r.toWrite()
	size = min(size, max(WriteBatchSize, len(vs)/8))
	r.written = 0
	var (
		bufs [2][]models.RiskResult
		done = make(chan error, 1)
		busy bool // fn has a batch
	)
	for k, lo := 0, 0; lo < len(vs); k, lo = k+1, lo+size {
		part := vs[lo:min(lo+size, len(vs))]
		out := bufs[k%2]
		if out == nil {
			out = make([]models.RiskResult, min(size, len(vs)))
			bufs[k%2] = out
		}
		out = out[:len(part)]
		parallelChunksOf(len(part), 64, r.Params.Workers, func(_, lo, hi int) {
			for i := lo; i < hi; i++ {
				v := part[i]
				out[i] = models.RiskResult{Ref: g.Ref(v), Risk: models.Risk{
					Score: r.Score[v], Grade: r.Grade[v].String(), Run: runID, Flags: r.Flags.KindsOf(v), Details: r.DetailsJSON(v)}}
			}
		})
		if busy {
			if err := <-done; err != nil {
				return err
			}
		}
		busy = true
		go func() { done <- fn(out) }()
		r.written += len(part)
	}
	if busy {
		if err := <-done; err != nil {
			return err
		}
	}
	return r.aliasResults(runID, size, fn)
}

// toWrite returns, in node order, the entities whose result Results
// writes (Changed).
func (r *Result) toWrite() []int32 {
	g := r.Graph
	const chunk = 1 << 16
	parts := make([][]int32, (g.N()+chunk-1)/chunk)
	parallelChunksOf(g.N(), chunk, r.Params.Workers, func(c, lo, hi int) {
		for v := int32(lo); v < int32(hi); v++ {
			if g.IsEntity(v) && r.Changed(v) {
				parts[c] = append(parts[c], v)
			}
		}
	})
	return slices.Concat(parts...)
}

// aliasResults renders, for every member of a SAME_AS set that is not its
// representative, the result of the set's node under the member's key
// (always, also after an incremental projection: few, and the set may be
// new).
func (r *Result) aliasResults(runID string, size int, fn func([]models.RiskResult) error) error {
	g := r.Graph
	aliases := g.SameAsAliases()
	if len(aliases) == 0 {
		return nil
	}
	keys := slices.Sorted(maps.Keys(aliases))
	var out []models.RiskResult
	for _, k := range keys {
		v, ok := g.Lookup(models.EnterpriseRef(k))
		if !ok {
			continue
		}
		out = append(out, models.RiskResult{Ref: models.EnterpriseRef(k), Risk: models.Risk{
			Score: r.Score[v], Grade: r.Grade[v].String(), Run: runID, Flags: r.Flags.KindsOf(v), Details: r.DetailsJSON(v)}})
		if len(out) == size {
			r.written += len(out)
			if err := fn(out); err != nil {
				return err
			}
			out = nil
		}
	}
	if len(out) == 0 {
		return nil
	}
	r.written += len(out)
	return fn(out)
}

// Score runs the engine on st and writes the results back: the run is
// recorded as running, the results are staged under runID in batches,
// promoted, and the run recorded as completed with its summary. If anything
// fails, the run is recorded as failed and nothing is promoted, so the
// previous run's results stay visible. now is the clock for the run record.
func Score(ctx context.Context, st ScoreStore, opts Options, runID string, now func() time.Time) (*Result, store.Run, error) {
	params, err := json.Marshal(opts.Params)
	if err != nil {
		return nil, store.Run{}, err
	}
	// The settled generation: everything stamped up to it is in the scan
	// that follows, so a snapshot saved with it misses no batch that was
	// in flight (store.ChangeFeed).
	gen, err := st.SettledGeneration(ctx)
	if err != nil {
		return nil, store.Run{}, fmt.Errorf("score: generation: %w", err)
	}
	run := store.Run{ID: runID, Started: now(), Status: store.RunRunning, Generation: gen, Params: params}
	if err := st.SaveRun(ctx, run); err != nil {
		return nil, run, fmt.Errorf("score: save run: %w", err)
	}
	var (
		res  *Result
		src  *projectionSource
		scan store.Scanner = st
	)
	opts.SameAs, err = SameAsSets(ctx, st)
	if err == nil {
		opts.Life, err = ReadLife(ctx, st)
	}
	var opened time.Duration // lineage, load, changes and their application
	if err == nil && opts.Snapshot != "" {
		t := time.Now()
		src, err = openSnapshot(ctx, st, &opts, gen, runID)
		opened = time.Since(t)
		if err == nil {
			scan = src.scan
			// The snapshot's rows carry the stored results: write back
			// only what changed, incremental or not — when they were
			// computed with the same parameters (other grade thresholds
			// or explanation settings change results the scores do not
			// show).
			opts.previous = src.info.Used && bytes.Equal(src.lastParams, params)
		}
	}
	if err == nil {
		res, err = Run(ctx, scan, opts)
	}
	if err == nil && src != nil {
		res.Timings["snapshot"] = opened
	}
	// The snapshot's save starts before the write-back: what it writes
	// first (the ownership state) is known now and is written while the
	// results are; the rest once they are (projectionSource.startSave).
	var finishSave func(ok bool)
	if err == nil && src != nil {
		finishSave = src.startSave(opts.Snapshot, gen, runID, now(), res.Score)
	}
	if err == nil {
		t := time.Now()
		size := WriteBatchSize
		if bs, ok := st.(store.ResultBatchSizer); ok {
			size = max(bs.ResultBatchSize(), 1)
		}
		err = res.resultsIn(runID, size, func(b []models.RiskResult) error {
			if src != nil {
				src.noteResults(b)
			}
			return st.WriteResults(ctx, b)
		})
		res.Timings["writeback"] = time.Since(t)
	}
	if err == nil {
		// The rows now carry this run's results, as the store will once
		// they are promoted: the next run may start from them. They are
		// saved while the store promotes (both take seconds at 1 M, on
		// different data). Should the promotion fail, the file holds the
		// results of a run that never completed, which the next run
		// refuses (openSnapshot: not the last completed run) and rebuilds.
		var saved sync.WaitGroup
		if finishSave != nil {
			saved.Go(func() { finishSave(true) })
		}
		t := time.Now()
		err = st.PromoteRun(ctx, runID)
		res.Timings["promote"] = time.Since(t)
		saved.Wait()
		if src != nil {
			res.Snapshot = &src.info
		}
	} else if finishSave != nil {
		finishSave(false) // nothing of the failed run is saved
	}
	run.Finished = now()
	if err != nil {
		run.Status, run.Error = store.RunFailed, err.Error()
		// Record the failure even when ctx was cancelled.
		if serr := st.SaveRun(context.WithoutCancel(ctx), run); serr != nil {
			err = errors.Join(err, serr)
		}
		return nil, run, err
	}
	run.Status = store.RunCompleted
	if run.Summary, err = json.Marshal(res.Summarize()); err != nil {
		return nil, run, err
	}
	if err := st.SaveRun(ctx, run); err != nil {
		return res, run, fmt.Errorf("score: save run: %w", err)
	}
	return res, run, nil
}
