package engine

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"riskgraph/engine/snapshot"
	"riskgraph/models"
	"riskgraph/store"
)

// DefaultSnapshotChanges is Options.SnapshotChanges when it is 0: a
// snapshot is brought up to date by its changes only while they are at
// most this share of its rows; beyond it a full scan is cheaper.
const DefaultSnapshotChanges = 0.2

// SnapshotInfo says how a run with Options.Snapshot got its projection.
type SnapshotInfo struct {
	// Used is true when the run projected from the snapshot plus the
	// store's changes; otherwise it scanned the store, and Rebuilt says
	// why (the file was missing, damaged, stale…).
	Used    bool   `json:"used"`
	Rebuilt string `json:"rebuilt,omitempty"`
	// Generation is the store generation the snapshot was saved at (when
	// used); Changes the rows read from the change feed and applied.
	Generation uint64 `json:"generation,omitempty"`
	Changes    int    `json:"changes,omitempty"`
	// Saved is true when the run saved the snapshot for the next one;
	// SaveError says why not.
	Saved     bool   `json:"saved"`
	SaveError string `json:"save_error,omitempty"`
	// LoadMS, ChangesMS and SaveMS time the steps.
	LoadMS    int64 `json:"load_ms"`
	ChangesMS int64 `json:"changes_ms,omitempty"`
	SaveMS    int64 `json:"save_ms,omitempty"`
}

// projectionSource is where a run with a snapshot projects from: the
// snapshot's rows brought up to date, or a recording scan of the store.
type projectionSource struct {
	rows    *snapshot.Rows     // the snapshot, when used
	rec     *snapshot.Recorder // the scan that rebuilds it, otherwise
	scan    store.Scanner      // what the engine projects from
	lineage string             // the store's
	info    SnapshotInfo
	// lastParams are the parameters of the run whose results the
	// snapshot carries (when used).
	lastParams []byte
}

// openSnapshot decides where the run projects from. The snapshot is used
// only when it is a whole file of this format (snapshot.Load), of this
// store's lineage, not ahead of its generation gen, carries the results
// of the store's last completed run, and its changes since are at most
// the share Options.SnapshotChanges of its rows; otherwise the store is
// scanned and the snapshot rebuilt from that scan.
func openSnapshot(ctx context.Context, st ScoreStore, opts *Options, gen uint64, runID string) (*projectionSource, error) {
	src := &projectionSource{}
	rebuild := func(why string) (*projectionSource, error) {
		src.rows, src.info.Used, src.info.Rebuilt = nil, false, why
		src.rec = snapshot.Record(scanOf{st})
		src.scan = scannerOf{src.rec}
		return src, nil
	}
	lineage, err := st.Lineage(ctx)
	if err != nil {
		return nil, fmt.Errorf("snapshot: lineage: %w", err)
	}
	src.lineage = lineage
	t := time.Now()
	rows, err := snapshot.Load(opts.Snapshot)
	src.info.LoadMS = time.Since(t).Milliseconds()
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return rebuild("no snapshot yet")
	case err != nil:
		return rebuild(err.Error())
	}
	switch {
	case rows.Lineage != lineage:
		return rebuild(fmt.Sprintf("snapshot of another store (lineage %q, the store's %q)", rows.Lineage, lineage))
	case rows.Generation > gen:
		return rebuild(fmt.Sprintf("snapshot at generation %d, ahead of the store's %d", rows.Generation, gen))
	}
	lastRun, err := lastCompletedRun(ctx, st, runID)
	if err != nil {
		return nil, fmt.Errorf("snapshot: runs: %w", err)
	}
	if last := lastRun.ID; last != rows.Run {
		return rebuild(fmt.Sprintf("snapshot holds the results of run %q, the store's last completed run is %q", rows.Run, last))
	}
	src.lastParams = lastRun.Params
	c := rows.Counts()
	share := opts.SnapshotChanges
	if share == 0 {
		share = DefaultSnapshotChanges
	}
	limit := int(share * float64(c.Enterprises+c.Persons+c.Records+c.Relationships))
	t = time.Now()
	changes, err := st.Changes(ctx, rows.Generation, limit)
	src.info.ChangesMS = time.Since(t).Milliseconds()
	switch {
	case errors.Is(err, store.ErrTooLarge):
		return rebuild(err.Error())
	case err != nil:
		return nil, fmt.Errorf("snapshot: changes since generation %d: %w", rows.Generation, err)
	}
	t = time.Now()
	rows.Apply(changes)
	src.info.ChangesMS += time.Since(t).Milliseconds()
	src.rows, src.scan = rows, rows
	src.info.Used, src.info.Generation, src.info.Changes = true, rows.Generation, changes.Len()
	return src, nil
}

// lastCompletedRun returns the newest completed run other than current
// (a zero Run when there is none among the last 100).
func lastCompletedRun(ctx context.Context, st store.RunStore, current string) (store.Run, error) {
	runs, err := st.Runs(ctx, 100)
	if err != nil {
		return store.Run{}, err
	}
	for _, r := range runs {
		if r.ID != current && r.Status == store.RunCompleted {
			return r, nil
		}
	}
	return store.Run{}, nil
}

// noteResults records written results on the snapshot's rows.
func (src *projectionSource) noteResults(b []models.RiskResult) {
	rows := src.current()
	if rows == nil {
		return
	}
	for i := range b {
		rows.SetResult(b[i].Ref, &b[i].Risk)
	}
}

// current returns the rows the run projected from (nil before a
// recording scan ended).
func (src *projectionSource) current() *snapshot.Rows {
	if src.rows != nil {
		return src.rows
	}
	return src.rec.Rows()
}

// save writes the rows, now carrying run's results, for the next run.
func (src *projectionSource) save(path string, gen uint64, run string, now time.Time) {
	rows := src.current()
	if rows == nil {
		src.info.SaveError = "no rows"
		return
	}
	rows.Meta = snapshot.Meta{Lineage: src.lineage, Generation: gen, Run: run, Created: now.UTC()}
	t := time.Now()
	if err := snapshot.Save(path, rows); err != nil {
		src.info.SaveError = err.Error()
		return
	}
	src.info.SaveMS = time.Since(t).Milliseconds()
	src.info.Saved = true
}

// scanOf gives a store.Scanner's projection scan (store.ScanForProjection).
type scanOf struct{ s store.Scanner }

func (x scanOf) ScanProjection(ctx context.Context, pageSize int, fn func(*store.ProjectionPage) error) error {
	return store.ScanForProjection(ctx, x.s, pageSize, fn)
}

// scannerOf makes a projection scanner a store.Scanner for Run (which
// prefers ScanProjection; Scan gives the same pages).
type scannerOf struct{ ps store.ProjectionScanner }

func (x scannerOf) Scan(ctx context.Context, pageSize int, fn func(*store.Batch) error) error {
	return x.ps.ScanProjection(ctx, pageSize, func(p *store.ProjectionPage) error { return fn(&p.Batch) })
}

func (x scannerOf) ScanProjection(ctx context.Context, pageSize int, fn func(*store.ProjectionPage) error) error {
	return x.ps.ScanProjection(ctx, pageSize, fn)
}
