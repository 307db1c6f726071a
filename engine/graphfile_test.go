package engine

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"riskgraph/engine/snapshot"
)

// snapshotGraph projects the generated set of n enterprises for a
// snapshot, with stored results in Previous (some NaN) and SAME_AS sets
// when sets is given.
func snapshotGraph(t *testing.T, n int, sets [][]string) *Graph {
	t.Helper()
	g, err := projectForSnapshot(context.Background(), generated(t, n).store, sets, true)
	if err != nil {
		t.Fatal(err)
	}
	for v := range g.Previous.Score {
		if v%3 != 0 {
			g.Previous.Score[v], g.Previous.Flags[v] = float64(v)/1e6, uint16(v%7)
		}
	}
	return g
}

// TestSnapshotGraphRoundTrip: every array of the graph, of the state
// Patch needs and of Previous is read back as saved, the records' life
// cleared and their severities the projected ones.
func TestSnapshotGraphRoundTrip(t *testing.T) {
	gs := generated(t, 300)
	keys := []string{gs.graph.Ref(0).Key, gs.graph.Ref(1).Key, gs.graph.Ref(2).Key}
	for _, sets := range [][][]string{nil, {keys}} {
		g := snapshotGraph(t, 300, sets)
		path := filepath.Join(t.TempDir(), "g.snap")
		meta := snapshot.Meta{Lineage: "L", Generation: 7, Run: "r"}
		// The credit file changes severities and ends records during a
		// run; the file holds the projected ones.
		severity := make([]float32, len(g.Records))
		for i := range g.Records {
			severity[i] = g.Records[i].Severity
		}
		want := *g
		want.Records = slices.Clone(g.Records)
		if len(g.Records) > 0 {
			g.Records[0].Severity, g.Records[0].Ended = 0.001, 5
		}
		p := DefaultParams()
		ownershipFor(g, &p, genToday) // the run's ownership state, kept with the graph
		if err := saveGraph(path, "id", meta, g, g.Previous, severity); err != nil {
			t.Fatal(err)
		}
		got, err := LoadSnapshotGraph(path)
		if err != nil {
			t.Fatal(err)
		}
		if got.Meta.Lineage != "L" || got.Meta.Generation != 7 || got.Meta.Run != "r" {
			t.Errorf("meta %+v", got.Meta)
		}
		sameArrays(t, got.Graph, &want)
		sameOwnershipState(t, got.Graph.patch.ownPrev, g.patch.ownNext, g.N())
	}
}

// sameOwnershipState fails unless got, read from a file, is want as
// saved with every node's id stable.
func sameOwnershipState(t *testing.T, got, want *ownershipState, stable int) {
	t.Helper()
	if got == nil || want == nil {
		t.Fatalf("ownership state %v, saved %v; want both", got != nil, want != nil)
	}
	w := *want
	w.Stable = stable
	if !reflect.DeepEqual(*got, w) || len(got.hs.in) == 0 || len(got.bo.bo) == 0 {
		t.Errorf("ownership state read back differs (%d holdings, %d owners; saved %d, %d)", len(got.hs.in), len(got.bo.bo), len(w.hs.in), len(w.bo.bo))
	}
}

// sameArrays fails unless got holds every array of want.
func sameArrays(t *testing.T, got, want *Graph) {
	t.Helper()
	eq := func(name string, a, b any) {
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s differs", name)
		}
	}
	eq("kinds", got.Kinds, want.Kinds)
	eq("keys", got.Keys.Strings(), want.Keys.Strings())
	eq("counts", [2]int{got.NumEnterprises, got.NumPersons}, [2]int{want.NumEnterprises, want.NumPersons})
	eq("status", got.Status, want.Status)
	eq("established", got.Established, want.Established)
	eq("region", got.Region, want.Region)
	eq("industry", got.Industry, want.Industry)
	eq("enterprise kind", got.EntKind, want.EntKind)
	eq("tables", [][]string{got.Regions, got.Industries, got.Titles, got.RecordKinds}, [][]string{want.Regions, want.Industries, want.Titles, want.RecordKinds})
	eq("edges", got.Edges, want.Edges)
	eq("out offsets", got.OutOff, want.OutOff)
	eq("in offsets", got.InOff, want.InOff)
	eq("in", got.In, want.In)
	eq("records", got.Records, want.Records)
	eq("record ids", got.RecordIDs.Strings(), want.RecordIDs.Strings())
	eq("record offsets", got.RecOff, want.RecOff)
	eq("record index", got.RecIdx, want.RecIdx)
	eq("same as", got.sameAs, want.sameAs)
	// NaN ≠ NaN: compare the scores' bits.
	bits := func(xs []float64) []uint64 {
		out := make([]uint64, len(xs))
		for i, x := range xs {
			out[i] = math.Float64bits(x)
		}
		return out
	}
	eq("previous scores", bits(got.Previous.Score), bits(want.Previous.Score))
	eq("previous flags", got.Previous.Flags, want.Previous.Flags)
	for i, x := range got.indexes() {
		y := want.indexes()[i]
		eq("index", [2]any{x.seed, x.n}, [2]any{y.seed, y.n})
		eq("index slots", x.slots, y.slots)
	}
	for f := range got.patch.shared {
		a, b := &got.patch.shared[f], &want.patch.shared[f]
		eq("shared values", a.keys.Strings(), b.keys.Strings())
		eq("shared first", a.first, b.first)
		eq("shared group", a.group, b.group)
		eq("shared count", a.count, b.count)
		eq("value of", got.patch.valOf[f], want.patch.valOf[f])
	}
	for v := range int32(got.N()) {
		if got.IsEntity(v) {
			if id, ok := got.Lookup(got.Ref(v)); !ok || id != v {
				t.Fatalf("%s: Lookup %d %v, want %d", got.Ref(v), id, ok, v)
			}
		}
	}
}

// TestSnapshotGraphDamaged: a graph file with any byte changed, cut
// anywhere, or of another version is refused (an error wrapping
// ErrDamaged or ErrVersion), never read in part nor a panic.
func TestSnapshotGraphDamaged(t *testing.T) {
	g := snapshotGraph(t, 300, nil)
	p := DefaultParams()
	ownershipFor(g, &p, genToday) // its sections are in the file too
	dir := t.TempDir()
	good := filepath.Join(dir, "good.snap")
	if err := saveGraph(good, "id", snapshot.Meta{Run: "r"}, g, g.Previous, nil); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.snap")
	refused := func(what string, b []byte, want ...error) {
		t.Helper()
		if err := os.WriteFile(bad, b, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := LoadSnapshotGraph(bad)
		if err == nil || !slices.ContainsFunc(want, func(w error) bool { return errors.Is(err, w) }) {
			t.Fatalf("%s: %v; want one of %v", what, err, want)
		}
	}
	flipAndCut(data, refused)
	refused("a byte more", append(slices.Clone(data), 0), snapshot.ErrDamaged)
	b := slices.Clone(data)
	binary.LittleEndian.PutUint32(b[8:], snapshot.GraphVersion+1)
	refused("other version", b, snapshot.ErrVersion)
	b = slices.Clone(data)
	binary.LittleEndian.PutUint32(b[8:], 2)
	refused("format 2 (no ownership state)", b, snapshot.ErrVersion)
}

// TestResultsFileOfFailedRun: the results file's save starts before the
// write-back; when the run then fails, the file it had is left as it was
// (no part of the failed run's is written, no temporary file stays), and
// a completed save gives back the results it was handed.
func TestResultsFileOfFailedRun(t *testing.T) {
	g := snapshotGraph(t, 300, nil)
	g.Previous.Exact = make([]float64, g.N())
	for v := range g.Previous.Exact {
		g.Previous.Exact[v] = float64(v) / 1000
	}
	p := DefaultParams()
	ownershipFor(g, &p, genToday)
	nodes := g.N() - 5
	path := filepath.Join(t.TempDir(), "g.snap")
	if err := saveResults(path, "id", snapshot.Meta{Run: "r1"}, g, nodes, func() *Previous { return g.Previous }); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(resultsPath(path))
	if err != nil {
		t.Fatal(err)
	}
	err = saveResults(path, "id", snapshot.Meta{Run: "r2"}, g, nodes, func() *Previous { return nil })
	if !errors.Is(err, errRunFailed) {
		t.Fatalf("a failed run's save: %v, want errRunFailed", err)
	}
	after, err := os.ReadFile(resultsPath(path))
	if err != nil || !bytes.Equal(before, after) {
		t.Fatalf("a failed run's save changed the results file (%v)", err)
	}
	if _, err := os.Stat(resultsPath(path) + ".tmp"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("temporary file left: %v", err)
	}
	r, err := loadResults(path)
	if err != nil {
		t.Fatal(err)
	}
	if r.meta.Run != "r1" {
		t.Fatalf("results of run %q, want r1", r.meta.Run)
	}
	for v := range nodes {
		if r.nodes.Exact[v] != g.Previous.Exact[v] {
			t.Fatalf("node %d: exact score %v, saved %v", v, r.nodes.Exact[v], g.Previous.Exact[v])
		}
	}
	if len(r.refs) != len(r.extra.Exact) || len(r.refs) == 0 {
		t.Fatalf("%d patched-in refs, %d results", len(r.refs), len(r.extra.Exact))
	}
}

// TestResultsFileDamaged: a results file (with the run's ownership state)
// with any byte changed, cut anywhere, or of another version is refused,
// never read in part; whole, it gives back the state saved, its ids
// stable below the graph file's nodes.
func TestResultsFileDamaged(t *testing.T) {
	g := snapshotGraph(t, 300, nil)
	g.Previous.Exact = make([]float64, g.N())
	p := DefaultParams()
	ownershipFor(g, &p, genToday)
	nodes := g.N() - 5 // as if the last nodes were patched in since the graph file
	path := filepath.Join(t.TempDir(), "g.snap")
	if err := saveResults(path, "id", snapshot.Meta{Run: "r"}, g, nodes, func() *Previous { return g.Previous }); err != nil {
		t.Fatal(err)
	}
	r, err := loadResults(path)
	if err != nil {
		t.Fatal(err)
	}
	sameOwnershipState(t, r.own, g.patch.ownNext, nodes)
	data, err := os.ReadFile(resultsPath(path))
	if err != nil {
		t.Fatal(err)
	}
	refused := func(what string, b []byte, want ...error) {
		t.Helper()
		if err := os.WriteFile(resultsPath(path), b, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := loadResults(path)
		if err == nil || !slices.ContainsFunc(want, func(w error) bool { return errors.Is(err, w) }) {
			t.Fatalf("%s: %v; want one of %v", what, err, want)
		}
	}
	flipAndCut(data, refused)
	b := slices.Clone(data)
	binary.LittleEndian.PutUint32(b[8:], 2)
	refused("format 2", b, snapshot.ErrVersion)
}

// flipAndCut hands refused every 1/3000th byte of data flipped (damaged
// or another version) and data cut at as many places (damaged).
func flipAndCut(data []byte, refused func(what string, b []byte, want ...error)) {
	step := max(1, len(data)/3000)
	for i := 0; i < len(data); i += step {
		b := slices.Clone(data)
		b[i] ^= 0x20
		refused("byte flipped", b, snapshot.ErrDamaged, snapshot.ErrVersion)
	}
	for i := 0; i < len(data); i += step {
		refused("cut", data[:i], snapshot.ErrDamaged)
	}
}
