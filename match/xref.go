package match

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"riskgraph/store"
)

// An xref run (riskgraph xref, POST /api/v1/xref): build the index from one
// store scan, find the duplicates (Duplicates), and add them as candidate
// pairs (store.XrefStore.AddXrefPairs: pairs already known are left as
// they are). The run records itself as running, then completed with its
// summary, or failed with its error.

// XrefStore is what an xref run reads and writes.
type XrefStore interface {
	store.Scanner
	AddXrefPairs(ctx context.Context, pairs []store.XrefPair) (int, error)
	SaveXrefRun(ctx context.Context, r store.Run) error
	Generation(ctx context.Context) (uint64, error)
}

// XrefSummary is an xref run's summary (store.Run.Summary).
type XrefSummary struct {
	Threshold float64   `json:"threshold"`
	MaxBlock  int       `json:"max_block"`
	Stats     DupeStats `json:"stats"`
	// Found is the number of pairs at or above the threshold; Added those
	// not stored before; Known those already stored (whatever their status).
	Found     int              `json:"found"`
	Added     int              `json:"added"`
	Known     int              `json:"known"`
	TimingsMS map[string]int64 `json:"timings_ms"`
}

// RunXref runs an xref under run id on s. now is the clock of the run record.
func RunXref(ctx context.Context, s XrefStore, id string, opts DupeOptions, now func() time.Time) (XrefSummary, store.Run, error) {
	if opts.Threshold <= 0 {
		opts.Threshold = DupeThreshold
	}
	if opts.MaxBlock < 2 {
		opts.MaxBlock = DefaultMaxBlock
	}
	sum := XrefSummary{Threshold: opts.Threshold, MaxBlock: opts.MaxBlock, TimingsMS: map[string]int64{}}
	params, _ := json.Marshal(map[string]any{"threshold": opts.Threshold, "max_block": opts.MaxBlock})
	run := store.Run{ID: id, Started: now(), Status: store.RunRunning, Params: params}
	gen, err := s.Generation(ctx)
	if err != nil {
		return sum, run, fmt.Errorf("xref: generation: %w", err)
	}
	run.Generation = gen
	if err := s.SaveXrefRun(ctx, run); err != nil {
		return sum, run, fmt.Errorf("xref: save run: %w", err)
	}
	err = func() error {
		t := time.Now()
		ix, err := FromStore(ctx, s)
		if err != nil {
			return err
		}
		sum.TimingsMS["index"] = time.Since(t).Milliseconds()
		t = time.Now()
		ps, st := ix.Duplicates(opts)
		sum.Stats, sum.Found = st, len(ps)
		sum.TimingsMS["search"] = time.Since(t).Milliseconds()
		if err := ctx.Err(); err != nil {
			return err
		}
		t = time.Now()
		found := now().UTC()
		pairs := make([]store.XrefPair, len(ps))
		for i, p := range ps {
			pairs[i] = store.XrefPair{ID: store.XrefPairID(p.A, p.B), A: p.A, B: p.B, Score: p.Score,
				Evidence: p.Features.Map(), Blocks: p.Blocks, Status: store.XrefCandidate, Run: id, Found: found}
		}
		if sum.Added, err = s.AddXrefPairs(ctx, pairs); err != nil {
			return fmt.Errorf("xref: add pairs: %w", err)
		}
		sum.Known = sum.Found - sum.Added
		sum.TimingsMS["write"] = time.Since(t).Milliseconds()
		return nil
	}()
	run.Finished = now()
	if err != nil {
		run.Status, run.Error = store.RunFailed, err.Error()
		if serr := s.SaveXrefRun(context.WithoutCancel(ctx), run); serr != nil {
			err = errors.Join(err, serr)
		}
		return sum, run, err
	}
	run.Status = store.RunCompleted
	run.Summary, _ = json.Marshal(sum)
	if err := s.SaveXrefRun(ctx, run); err != nil {
		return sum, run, fmt.Errorf("xref: save run: %w", err)
	}
	return sum, run, nil
}
