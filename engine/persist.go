package engine

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"sync"
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
	// SaveError says why not. SavedGraph is true when it wrote the whole
	// graph, false when only the results beside the graph file it patched
	// (results.go).
	Saved      bool   `json:"saved"`
	SavedGraph bool   `json:"saved_graph,omitempty"`
	SaveError  string `json:"save_error,omitempty"`
	// LoadMS, ChangesMS and SaveMS time the steps; ChangesMS includes
	// PatchMS, the patch of a graph snapshot (Graph.Patch).
	LoadMS    int64 `json:"load_ms"`
	ChangesMS int64 `json:"changes_ms,omitempty"`
	PatchMS   int64 `json:"patch_ms,omitempty"`
	SaveMS    int64 `json:"save_ms,omitempty"`
}

// projectionSource is where a run with a snapshot projects from: the
// snapshot's graph patched with the store's changes (format 2), the
// snapshot's rows brought up to date (format 1, read once after an
// upgrade), or a scan of the store. It is the store.Scanner Run is given
// (scan); Run takes the graph from it (projectFor), and it keeps that
// graph to save it after the run.
type projectionSource struct {
	scan    store.Scanner           // itself, for Run
	from    store.ProjectionScanner // what the graph is projected from when not loaded
	graph   *Graph                  // the loaded and patched graph, then the run's
	lineage string                  // the store's
	info    SnapshotInfo
	// lastParams are the parameters of the run whose results the
	// snapshot carries (when used).
	lastParams []byte
	// severity is each record's projected severity (the credit file's
	// corrections change the graph's during the run).
	severity []float32
	// written are the results the run wrote (node, score, flags), which
	// the saved Previous carries.
	mu      sync.Mutex
	written []writtenResult
	// The graph file the run patched (graphID "" when none): its id,
	// nodes and size, and the changes since it (results.go).
	graphID               string
	graphNodes, graphSize int
	changed               int
}

// writtenResult is one result the run wrote back.
type writtenResult struct {
	node  int32
	score float64
	flags uint16
}

// openSnapshot decides where the run projects from. The snapshot is used
// only when it is a whole file of a known format (snapshot.LoadGraph's and
// LoadSnapshotGraph's checks, or snapshot.Load's), of this store's lineage, not
// ahead of its generation gen, carries the results of the store's last
// completed run and (a graph) the store's SAME_AS sets, and its changes
// since are at most the share Options.SnapshotChanges of its rows and
// can be patched in (Graph.Patch); otherwise the store is scanned and the
// snapshot rebuilt from that scan.
func openSnapshot(ctx context.Context, st ScoreStore, opts *Options, gen uint64, runID string) (*projectionSource, error) {
	src := &projectionSource{}
	src.scan = src
	rebuild := func(why string) (*projectionSource, error) {
		src.graph, src.info.Used, src.info.Rebuilt = nil, false, why
		src.from = scanOf{st}
		return src, nil
	}
	lineage, err := st.Lineage(ctx)
	if err != nil {
		return nil, fmt.Errorf("snapshot: lineage: %w", err)
	}
	src.lineage = lineage
	t := time.Now()
	version, err := snapshot.Version(opts.Snapshot)
	var (
		meta    snapshot.Meta
		rows    *snapshot.Rows
		graph   *SnapshotGraph
		results *savedResults
		size    int
	)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return rebuild("no snapshot yet")
	case err != nil:
		return rebuild(err.Error())
	case version == snapshot.RowsVersion:
		rows, err = snapshot.Load(opts.Snapshot)
		if err == nil {
			meta = rows.Meta
			c := rows.Counts()
			size = c.Enterprises + c.Persons + c.Records + c.Relationships
		}
	default:
		graph, results, err = loadGraphAndResults(opts.Snapshot)
		if err == nil {
			meta = graph.Meta
			g := graph.Graph
			size = g.NumEnterprises + g.NumPersons + len(g.Records) + len(g.Edges)
			if results != nil {
				// The run whose results the snapshot holds, and the
				// generation they were saved at, are the results file's.
				meta.Run, meta.Generation = results.meta.Run, results.meta.Generation
			}
		}
	}
	src.info.LoadMS = time.Since(t).Milliseconds()
	if err != nil {
		return rebuild(err.Error())
	}
	if why, err := src.stale(ctx, st, meta, gen, runID); err != nil || why != "" {
		if err != nil {
			return nil, err
		}
		return rebuild(why)
	}
	if graph != nil && !maps.Equal(graph.Graph.sameAs, aliasesOf(opts.SameAs)) {
		return rebuild("the SAME_AS sets changed since the snapshot")
	}
	share := opts.SnapshotChanges
	if share == 0 {
		share = DefaultSnapshotChanges
	}
	since := meta.Generation // a graph's changes: since the graph file
	if graph != nil {
		since = graph.Meta.Generation
	}
	t = time.Now()
	changes, err := st.Changes(ctx, since, int(share*float64(size)))
	src.info.ChangesMS = time.Since(t).Milliseconds()
	switch {
	case errors.Is(err, store.ErrTooLarge):
		return rebuild(err.Error())
	case err != nil:
		return nil, fmt.Errorf("snapshot: changes since generation %d: %w", since, err)
	}
	t = time.Now()
	if graph != nil {
		g := graph.Graph
		src.graphID, src.graphNodes, src.graphSize, src.changed = graph.id, g.N(), size, changes.Len()
		if err := g.Patch(changes); err != nil {
			return rebuild(err.Error())
		}
		if results != nil {
			results.apply(g)
		}
		src.graph = g
		src.info.PatchMS = time.Since(t).Milliseconds()
	} else {
		rows.Apply(changes)
		src.from = rows
	}
	src.info.ChangesMS += time.Since(t).Milliseconds()
	src.info.Used, src.info.Generation, src.info.Changes = true, since, changes.Len()
	return src, nil
}

// loadGraphAndResults reads the graph snapshot at path and its results
// file when there is one for that graph file (nil otherwise; a damaged
// one is an error).
func loadGraphAndResults(path string) (*SnapshotGraph, *savedResults, error) {
	graph, err := LoadSnapshotGraph(path)
	if err != nil {
		return nil, nil, err
	}
	r, err := loadResults(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return graph, nil, nil
	case err != nil:
		return nil, nil, fmt.Errorf("results beside the graph: %w", err)
	case r.head.Graph != graph.id || r.head.Nodes != graph.Graph.N() || r.meta.Lineage != graph.Meta.Lineage:
		return graph, nil, nil // of another graph file: its own results hold
	}
	return graph, r, nil
}

// stale says why a snapshot with meta cannot be used ("" when it can): of
// another store, ahead of the store's generation gen, or holding the
// results of another run than the store's last completed one.
func (src *projectionSource) stale(ctx context.Context, st ScoreStore, meta snapshot.Meta, gen uint64, runID string) (string, error) {
	switch {
	case meta.Lineage != src.lineage:
		return fmt.Sprintf("snapshot of another store (lineage %q, the store's %q)", meta.Lineage, src.lineage), nil
	case meta.Generation > gen:
		return fmt.Sprintf("snapshot at generation %d, ahead of the store's %d", meta.Generation, gen), nil
	}
	lastRun, err := lastCompletedRun(ctx, st, runID)
	if err != nil {
		return "", fmt.Errorf("snapshot: runs: %w", err)
	}
	if last := lastRun.ID; last != meta.Run {
		return fmt.Sprintf("snapshot holds the results of run %q, the store's last completed run is %q", meta.Run, last), nil
	}
	src.lastParams = lastRun.Params
	return "", nil
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

// projectFor projects the graph Run computes on: the projection source's
// when s is one (a snapshot run), else a projection of s (with the stored
// results when the run is incremental or writes back only what changed).
func projectFor(ctx context.Context, s store.Scanner, opts *Options) (*Graph, error) {
	previous := opts.Incremental || opts.previous
	if src, ok := s.(*projectionSource); ok {
		return src.project(ctx, opts.SameAs, previous)
	}
	if previous {
		return projectPrevious(ctx, s, opts.SameAs)
	}
	return ProjectSameAs(ctx, s, opts.SameAs)
}

// project returns the patched snapshot graph, or projects one (kept for
// the next snapshot) from the rows or the store; Previous only when
// previous is set.
func (src *projectionSource) project(ctx context.Context, sets [][]string, previous bool) (*Graph, error) {
	g := src.graph
	if g == nil {
		var err error
		if g, err = projectForSnapshot(ctx, scannerOf{src.from}, sets, previous); err != nil {
			return nil, err
		}
		src.graph = g
	} else if !previous {
		g.Previous = nil
	}
	src.severity = make([]float32, len(g.Records))
	for i := range g.Records {
		src.severity[i] = g.Records[i].Severity
	}
	return g, nil
}

// Scan and ScanProjection make the source a store.Scanner; Run takes its
// graph instead (projectFor), so they only pass on what it projects from.
func (src *projectionSource) Scan(ctx context.Context, pageSize int, fn func(*store.Batch) error) error {
	return scannerOf{src.from}.Scan(ctx, pageSize, fn)
}

// ScanProjection: see Scan.
func (src *projectionSource) ScanProjection(ctx context.Context, pageSize int, fn func(*store.ProjectionPage) error) error {
	return src.from.ScanProjection(ctx, pageSize, fn)
}

// noteResults records written results for the saved Previous (a SAME_AS
// member's result is its set's node's, noted under the node's own key).
func (src *projectionSource) noteResults(b []models.RiskResult) {
	g := src.graph
	if g == nil {
		return
	}
	src.mu.Lock()
	defer src.mu.Unlock()
	for i := range b {
		ref := b[i].Ref
		if _, alias := g.sameAs[ref.Key]; alias && ref.Kind == models.KindEnterprise {
			continue
		}
		if v, ok := g.Lookup(ref); ok {
			src.written = append(src.written, writtenResult{v, b[i].Score, flagMask(b[i].Flags)})
		}
	}
}

// previousAfter returns the stored result of each node once the run's
// results are promoted: the graph's Previous (none: NaN) with the run's
// written results; and, for each node with a stored result, the score the
// run computed (exact, by node id), the next incremental run's start.
func (src *projectionSource) previousAfter(g *Graph, exact []float64) *Previous {
	n := g.N()
	pv := &Previous{Score: make([]float64, n), Flags: make([]uint16, n), Exact: make([]float64, n)}
	if g.Previous != nil {
		copy(pv.Score, g.Previous.Score)
		copy(pv.Flags, g.Previous.Flags)
	} else {
		for v := range pv.Score {
			pv.Score[v] = math.NaN()
		}
	}
	for _, w := range src.written {
		pv.Score[w.node], pv.Flags[w.node] = w.score, w.flags
	}
	for v := range pv.Exact {
		pv.Exact[v] = math.NaN()
		if v < len(exact) && !math.IsNaN(pv.Score[v]) {
			pv.Exact[v] = exact[v]
		}
	}
	return pv
}

// startSave starts saving the run's snapshot, carrying its results and
// the scores it computed (exact, by node id, the next incremental run's
// start), and returns the function that finishes it once the write-back
// is over: ok, the results are written and the save completes; not ok,
// the run failed and nothing is saved (the files stay as they were). A
// run that patched the graph file writes the results file, whose first
// sections (the ownership state) do not depend on the written results:
// they are written at once, beside the write-back. A run that rewrites
// the graph file writes it all when finished. Info.SaveMS is the time
// the run waits for the save once the write-back is over.
func (src *projectionSource) startSave(path string, gen uint64, run string, now time.Time, exact []float64) (finish func(ok bool)) {
	g := src.graph
	meta := snapshot.Meta{Lineage: src.lineage, Generation: gen, Run: run, Created: now.UTC()}
	if g == nil || src.graphID == "" || float64(src.changed) > RebaseShare*float64(src.graphSize) {
		return func(ok bool) {
			if !ok {
				return
			}
			if g == nil {
				src.info.SaveError = "no graph"
				return
			}
			t := time.Now()
			s := &SnapshotGraph{Meta: meta, Graph: g}
			err := s.save(path, src.previousAfter(g, exact), src.severity)
			if err == nil {
				err = removeResults(path)
			}
			src.info.SavedGraph = true
			src.saved(g, t, err)
		}
	}
	proceed := make(chan bool, 1)
	done := make(chan error, 1)
	go func() {
		done <- saveResults(path, src.graphID, meta, g, src.graphNodes, func() *Previous {
			if !<-proceed {
				return nil
			}
			return src.previousAfter(g, exact)
		})
	}()
	return func(ok bool) {
		t := time.Now()
		proceed <- ok
		err := <-done
		if ok {
			src.saved(g, t, err)
		}
	}
}

// saved records how the save begun at t ended.
func (src *projectionSource) saved(g *Graph, t time.Time, err error) {
	// The run's result keeps the graph for the API; what only a patch
	// needs is in the file now (the next run patches the graph it reads).
	g.patch = nil
	if err != nil {
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
