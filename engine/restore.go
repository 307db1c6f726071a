package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"riskgraph/models"
	"riskgraph/store"
)

// ErrNoCompletedRun: the store holds no completed run to restore or update.
var ErrNoCompletedRun = errors.New("engine: no completed run")

// RestoreStore is what Restore and LastCompleted read.
type RestoreStore interface {
	store.Scanner
	store.RunStore
	SameAsSource
	LifeSource
}

// LastCompleted returns the newest completed run with its parameters and
// reference day, or ErrNoCompletedRun.
func LastCompleted(ctx context.Context, st store.RunStore) (store.Run, Options, error) {
	runs, err := st.Runs(ctx, 100)
	if err != nil {
		return store.Run{}, Options{}, fmt.Errorf("engine: runs: %w", err)
	}
	for _, r := range runs {
		if r.Status != store.RunCompleted {
			continue
		}
		var opts Options
		if opts.Params, err = ParseParams(r.Params); err != nil {
			return r, opts, fmt.Errorf("engine: run %s: params: %w", r.ID, err)
		}
		var sum struct {
			Today string `json:"today"`
		}
		if err := json.Unmarshal(r.Summary, &sum); err != nil {
			return r, opts, fmt.Errorf("engine: run %s: summary: %w", r.ID, err)
		}
		if opts.Today, err = models.ParseDate(sum.Today); err != nil {
			return r, opts, fmt.Errorf("engine: run %s: today: %w", r.ID, err)
		}
		return r, opts, nil
	}
	return store.Run{}, Options{}, ErrNoCompletedRun
}

// Restore rebuilds in memory the result of the newest completed run, for a
// server that starts after the run (so that /risk and /owners have an
// engine result without a new run): it projects the store and recomputes
// everything with that run's parameters and reference day, starting the
// propagation from the stored scores (Options.Incremental), so it settles
// in a few pushes when the data did not change. It writes nothing. It
// returns the run it restored, or ErrNoCompletedRun. The data may have
// changed since the run; the result then describes the current data (the
// stored scores stay those of the run until the next run is promoted).
func Restore(ctx context.Context, st RestoreStore) (*Result, store.Run, error) {
	run, opts, err := LastCompleted(ctx, st)
	if err != nil {
		return nil, run, err
	}
	opts.Incremental = true
	if opts.SameAs, err = SameAsSets(ctx, st); err != nil {
		return nil, run, err
	}
	if opts.Life, err = ReadLife(ctx, st); err != nil {
		return nil, run, err
	}
	res, err := Run(ctx, st, opts)
	if err != nil {
		return nil, run, fmt.Errorf("engine: restore run %s: %w", run.ID, err)
	}
	return res, run, nil
}
