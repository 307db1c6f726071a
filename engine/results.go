package engine

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"

	"riskgraph/engine/snapshot"
	"riskgraph/models"
)

// The results file beside a graph snapshot (FILE.results). A day's run
// changes the graph by a fraction of a percent but the stored results of
// most entities; rewriting the whole graph (≈ 0.66 GB at 1 M enterprises,
// disk-bound at 150–270 MB/s on the test machine) would make the save the
// longest step of the run. So a run that patched the graph file in keeps
// that file and writes only the results after it: the stored result of
// each of the graph file's nodes by id, and of the entities patched in
// since by reference (their ids depend on the changes' order). The next
// run reads the graph file, patches in every change since the graph
// file's generation (the days since accumulate) and takes the stored
// results from this file. When the changes since the graph file pass
// RebaseShare of its size, the run writes the whole graph again and
// removes this file.
//
// The file has the graph format's frame (engine/snapshot/graph.go); its
// engine header names the graph file it belongs to (graphHeader.ID), which
// is random per graph file written: results of another graph are not used.

// RebaseShare is the share of the graph file's size (nodes, records,
// edges) that the changes since it may reach before a run writes the
// whole graph again instead of the results only: the patch and the change
// feed's read grow with the changes since the graph file.
const RebaseShare = 0.02

// resultsHeader is the engine's header of a results file.
type resultsHeader struct {
	Kind      string   `json:"kind"`  // "results"
	Graph     string   `json:"graph"` // the graph file's ID
	Nodes     int      `json:"nodes"` // its nodes, whose results are by id
	Extra     int      `json:"extra"` // entities patched in since, by reference
	FlagKinds []string `json:"flag_kinds"`
	// Ownership is set when the file keeps the run's ownership state
	// (ownership_incr.go), by the ids of the run's graph: those of the
	// graph file's nodes are the next run's too (Stable).
	Ownership *ownershipState `json:"ownership,omitempty"`
}

// resultsPath is where the results of the graph snapshot at path are.
func resultsPath(path string) string { return path + ".results" }

// newGraphID returns a random name for a graph file.
func newGraphID() string {
	var b [8]byte
	for i := range b {
		b[i] = byte(rand.Uint32())
	}
	return hex.EncodeToString(b[:])
}

// slice returns pv's entries [lo, hi).
func (pv *Previous) slice(lo, hi int) *Previous {
	return &Previous{Score: pv.Score[lo:hi], Flags: pv.Flags[lo:hi], Exact: pv.Exact[lo:hi]}
}

// errRunFailed ends a results file whose run did not complete.
var errRunFailed = errors.New("the run failed: no results to save")

// saveResults writes the results file (path's) of a run on the graph file
// graphID (of nodes nodes) patched into g: the header and the run's
// ownership state at once, then, once after returns them, the stored
// results of the graph file's nodes by id and of the entities patched in
// since by reference. after returns nil when the run failed: the file is
// then not written (the old one stays).
func saveResults(path, graphID string, meta snapshot.Meta, g *Graph, nodes int, after func() *Previous) error {
	var refs KeyTable
	var patchedIn []int32
	for v := int32(nodes); v < int32(g.N()); v++ {
		if !g.IsEntity(v) {
			continue
		}
		refs.add(g.Ref(v).String())
		patchedIn = append(patchedIn, v)
	}
	refs.done()
	h := resultsHeader{Kind: "results", Graph: graphID, Nodes: nodes, Extra: refs.Len(), FlagKinds: FlagKinds}
	if own := g.patch.ownNext; own != nil && own.Nodes == g.N() {
		o := *own
		o.Stable = nodes
		h.Ownership = &o
	}
	engine, err := json.Marshal(h)
	if err != nil {
		return err
	}
	return snapshot.SaveGraph(resultsPath(path), snapshot.GraphMeta{Meta: meta, Engine: engine}, func(gw *snapshot.GraphWriter) error {
		if h.Ownership != nil {
			for _, sec := range h.Ownership.sections("") {
				sec.save(gw)
			}
		}
		prev := after()
		if prev == nil {
			return errRunFailed
		}
		extra := &Previous{}
		for _, v := range patchedIn {
			extra.Score = append(extra.Score, prev.Score[v])
			extra.Flags = append(extra.Flags, prev.Flags[v])
			extra.Exact = append(extra.Exact, prev.Exact[v])
		}
		secs := previousArrays("", prev.slice(0, nodes), nodes)
		secs = append(secs, keysOf("extra.refs", &refs, h.Extra))
		secs = append(secs, previousArrays("extra.", extra, h.Extra)...)
		for _, sec := range secs {
			sec.save(gw)
		}
		return nil
	})
}

// savedResults is a results file as read.
type savedResults struct {
	meta  snapshot.Meta
	head  resultsHeader
	nodes *Previous // of the graph file's nodes, by id
	refs  []models.Ref
	extra *Previous // of refs
	own   *ownershipState
}

// loadResults reads the results file of the graph snapshot at path
// (fs.ErrNotExist when there is none).
func loadResults(path string) (*savedResults, error) {
	out := &savedResults{nodes: &Previous{}, extra: &Previous{}}
	err := snapshot.LoadGraph(resultsPath(path), func(m *snapshot.GraphMeta, gr *snapshot.GraphReader) error {
		h := &out.head
		if err := json.Unmarshal(m.Engine, h); err != nil || h.Kind != "results" || h.Nodes < 0 || h.Extra < 0 {
			return fmt.Errorf("%w: not a results file (%v)", snapshot.ErrDamaged, err)
		}
		if !slices.Equal(h.FlagKinds, FlagKinds) {
			return fmt.Errorf("%w: flag kinds %v, this riskgraph's %v", snapshot.ErrVersion, h.FlagKinds, FlagKinds)
		}
		var refs KeyTable
		var secs []section
		if own := h.Ownership; own != nil { // written first (saveResults)
			if own.Hi < 0 || own.Hi > math.MaxInt32 || own.Holdings < 0 || own.Owners < 0 {
				return fmt.Errorf("%w: ownership of %d nodes, %d holdings, %d owners", snapshot.ErrDamaged, own.Hi, own.Holdings, own.Owners)
			}
			secs = append(secs, own.sections("")...)
		}
		secs = append(secs, previousArrays("", out.nodes, h.Nodes)...)
		secs = append(secs, keysOf("extra.refs", &refs, h.Extra))
		secs = append(secs, previousArrays("extra.", out.extra, h.Extra)...)
		for _, sec := range secs {
			if err := sec.load(gr); err != nil {
				return err
			}
		}
		if own := h.Ownership; own != nil {
			if err := own.check(); err != nil || own.Stable != h.Nodes {
				return fmt.Errorf("%w: %v (ownership of %d stable nodes, results of %d)", snapshot.ErrDamaged, err, own.Stable, h.Nodes)
			}
			out.own = own
		}
		for i := range refs.Len() {
			kind, key, _ := strings.Cut(refs.At(int32(i)), ":") // a kind has no colon
			out.refs = append(out.refs, models.Ref{Kind: models.NodeKind(kind), Key: key})
		}
		out.meta = m.Meta
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// apply sets g's stored results from r (g: the graph file r belongs to,
// patched; its new nodes after r's nodes).
func (r *savedResults) apply(g *Graph) {
	if r.own != nil && g.patch != nil {
		g.patch.ownPrev = r.own // the run's, newer than the graph file's
	}
	pv := g.Previous
	if pv == nil {
		return
	}
	copy(pv.Score[:r.head.Nodes], r.nodes.Score)
	copy(pv.Flags[:r.head.Nodes], r.nodes.Flags)
	copy(pv.Exact[:r.head.Nodes], r.nodes.Exact)
	for i, ref := range r.refs {
		if v, ok := g.Lookup(ref); ok && int(v) >= r.head.Nodes {
			pv.Score[v], pv.Flags[v], pv.Exact[v] = r.extra.Score[i], r.extra.Flags[i], r.extra.Exact[i]
		}
	}
}

// removeResults removes path's results file (after the whole graph was
// written again).
func removeResults(path string) error {
	if err := os.Remove(resultsPath(path)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// LoadSnapshot reads the graph snapshot at path as a run finds it: the
// graph file, with the stored results and the run of its results file
// when there is one for this graph file (not patched: the graph is the
// graph file's).
func LoadSnapshot(path string) (*SnapshotGraph, error) {
	s, err := LoadSnapshotGraph(path)
	if err != nil {
		return nil, err
	}
	r, err := loadResults(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return s, nil
	case err != nil:
		return nil, err
	}
	if r.head.Graph == s.id && r.head.Nodes == s.Graph.N() {
		r.apply(s.Graph)
		s.Meta.Run, s.Meta.Created = r.meta.Run, r.meta.Created
	}
	return s, nil
}
