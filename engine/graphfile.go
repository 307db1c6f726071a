package engine

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"unsafe"

	"riskgraph/engine/snapshot"
)

// The graph as a projection snapshot (format 2, engine/snapshot/graph.go):
// every array of Graph, of the state Patch needs (patchState) and of
// Previous, written as it is in memory — little-endian machines only, the
// layout of Edge and Record named in the header — one section each, and
// read back into arrays of the same type by one read per array: no row is
// decoded, no key hashed (the key indexes are saved with their seeds).
// After reading, loadGraph checks what a damaged-but-checksummed file
// could break (offsets, node and record numbers, codes), so a graph it
// returns never indexes out of range.

// graphLayout names the in-memory layout the file's arrays have; a file
// of another layout (another Edge or Record, a big-endian machine) is
// refused as another version.
var graphLayout = fmt.Sprintf("le edge%d record%d", unsafe.Sizeof(Edge{}), unsafe.Sizeof(Record{}))

// littleEndian reports whether this machine stores integers little-endian.
func littleEndian() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}

// graphHeader is the engine's part of the snapshot's meta.
type graphHeader struct {
	Layout      string            `json:"layout"`
	Nodes       int               `json:"nodes"`
	Enterprises int               `json:"enterprises"`
	Persons     int               `json:"persons"`
	Edges       int               `json:"edges"`
	Records     int               `json:"records"`
	Regions     []string          `json:"regions"`
	Industries  []string          `json:"industries"`
	Titles      []string          `json:"titles"`
	Kinds       []string          `json:"record_kinds"`
	FlagKinds   []string          `json:"flag_kinds"`
	SameAs      map[string]string `json:"same_as,omitempty"`
	// Seeds and sizes of the key indexes: enterprises, persons, records,
	// then the three shared fields.
	Seeds   [6]uint64 `json:"seeds"`
	Indexed [6]int    `json:"indexed"`
	// Previous is set when the file holds Graph.Previous.
	Previous bool `json:"previous"`
	// ID names this graph file; a results file names the graph it
	// belongs to (results.go).
	ID string `json:"id"`
	// Ownership is set when the file keeps the run's ownership state
	// (ownership_incr.go), its arrays after Previous.
	Ownership *ownershipState `json:"ownership,omitempty"`
}

// savedGraph is what saveGraph writes besides the graph: the stored
// result of each node after the run (Previous with the run's written
// results), and each record's severity before the credit file's
// corrections (applyLife changes the graph's in place).
type savedGraph struct {
	id       string
	g        *Graph
	previous *Previous
	severity []float32
	own      *ownershipState
}

// indexes returns the graph's key indexes in the header's order.
func (g *Graph) indexes() [6]*strIndex {
	ps := g.patch
	return [6]*strIndex{&g.entIndex, &g.perIndex, &ps.records, &ps.shared[0].index, &ps.shared[1].index, &ps.shared[2].index}
}

// header describes s's graph.
func (s *savedGraph) header() graphHeader {
	g := s.g
	h := graphHeader{Layout: graphLayout, Nodes: g.N(), Enterprises: g.NumEnterprises, Persons: g.NumPersons,
		Edges: len(g.Edges), Records: len(g.Records),
		Regions: g.Regions, Industries: g.Industries, Titles: g.Titles, Kinds: g.RecordKinds,
		FlagKinds: FlagKinds, SameAs: g.sameAs, Previous: s.previous != nil, ID: s.id, Ownership: s.own}
	for i, x := range g.indexes() {
		h.Seeds[i], h.Indexed[i] = x.seed, x.n
	}
	return h
}

// sections lists the arrays of a saved graph in file order. n is the
// expected length of the arrays read back (from the header).
func (s *savedGraph) sections(h *graphHeader) []section {
	g, ps := s.g, s.g.patch
	n, recs := h.Nodes, h.Records
	out := []section{
		arrayOf("kinds", &g.Kinds, n),
		keysOf("keys", &g.Keys, n),
		arrayOf("status", &g.Status, n),
		arrayOf("established", &g.Established, n),
		arrayOf("region", &g.Region, n),
		arrayOf("industry", &g.Industry, n),
		arrayOf("ent_kind", &g.EntKind, n),
		arrayOf("edges", &g.Edges, h.Edges),
		arrayOf("out_off", &g.OutOff, n+1),
		arrayOf("in_off", &g.InOff, n+1),
		arrayOf("in", &g.In, h.Edges),
		arrayOf("records", &g.Records, recs),
		arrayOf("severity", &s.severity, recs),
		keysOf("record_ids", &g.RecordIDs, recs),
		arrayOf("rec_off", &g.RecOff, n+1),
		arrayOf("rec_idx", &g.RecIdx, recs),
	}
	for i, x := range g.indexes() {
		out = append(out, arrayOf(fmt.Sprintf("index%d", i), &x.slots, -1))
	}
	for f := range ps.shared {
		sv := &ps.shared[f]
		p := fmt.Sprintf("shared%d.", f)
		m := h.Indexed[3+f]
		out = append(out, keysOf(p+"values", &sv.keys, m), arrayOf(p+"first", &sv.first, m),
			arrayOf(p+"group", &sv.group, m), arrayOf(p+"count", &sv.count, m), arrayOf(p+"value_of", &ps.valOf[f], n))
	}
	if h.Previous {
		out = append(out, previousArrays("", s.previous, n)...)
	}
	if h.Ownership != nil {
		out = append(out, h.Ownership.sections("")...)
	}
	return out
}

// previousArrays lists the arrays of Previous a snapshot keeps, each of
// n entries, their section names after prefix: a field added to Previous
// is one more line here, one in builder.addNode (which gives a new node
// its value) and one in Previous.slice (results.go).
func previousArrays(prefix string, pv *Previous, n int) []section {
	return []section{
		arrayOf(prefix+"previous.score", &pv.Score, n),
		arrayOf(prefix+"previous.flags", &pv.Flags, n),
		arrayOf(prefix+"previous.exact", &pv.Exact, n),
	}
}

// section is one array of the file.
type section interface {
	save(gw *snapshot.GraphWriter)
	load(gr *snapshot.GraphReader) error
}

// array is a section holding a slice of fixed-size, pointer-free values.
type array[T any] struct {
	name string
	s    *[]T
	n    int // expected length when loading; -1: any
}

func arrayOf[T any](name string, s *[]T, n int) section { return &array[T]{name, s, n} }

// bytesOf views a slice of pointer-free values as its bytes.
func bytesOf[T any](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(s[0])))
}

func (a *array[T]) save(gw *snapshot.GraphWriter) { gw.Bytes(a.name, bytesOf(*a.s)) }

func (a *array[T]) load(gr *snapshot.GraphReader) error {
	return gr.Section(a.name, func(n int64) ([]byte, error) {
		size := int64(unsafe.Sizeof(*new(T)))
		if n%size != 0 || (a.n >= 0 && n/size != int64(a.n)) || n/size > math.MaxInt32+1 {
			return nil, fmt.Errorf("%d bytes, want %d values of %d bytes", n, a.n, size)
		}
		*a.s = make([]T, n/size)
		return bytesOf(*a.s), nil
	})
}

// keys is a section pair holding a KeyTable: where each string ends in its
// block (the table's own ends), then the blocks' bytes one after the other.
type keys struct {
	name string
	t    *KeyTable
	n    int
}

func keysOf(name string, t *KeyTable, n int) section { return &keys{name, t, n} }

func (k *keys) save(gw *snapshot.GraphWriter) {
	t := k.t
	ends, total := t.ends, int64(0)
	if t.shared {
		ends = make([]uint32, len(t.strs))
		var in uint32
		for i, s := range t.strs {
			if i&keyBlockMask == 0 {
				in = 0
			}
			in += uint32(len(s))
			ends[i] = in
			total += int64(len(s))
		}
	} else {
		for _, b := range t.blocks {
			total += int64(len(b))
		}
	}
	gw.Bytes(k.name+".ends", bytesOf(ends))
	gw.Section(k.name+".bytes", total, func(w io.Writer) error {
		if t.shared {
			// The strings are small: gather them into blocks first.
			buf := make([]byte, 0, 1<<16)
			for _, s := range t.strs {
				if len(buf)+len(s) > cap(buf) {
					if _, err := w.Write(buf); err != nil {
						return err
					}
					buf = buf[:0]
				}
				buf = append(buf, s...)
			}
			_, err := w.Write(buf)
			return err
		}
		for _, b := range t.blocks {
			if _, err := w.Write(b); err != nil {
				return err
			}
		}
		return nil
	})
}

func (k *keys) load(gr *snapshot.GraphReader) error {
	var ends []uint32
	if err := arrayOf(k.name+".ends", &ends, k.n).load(gr); err != nil {
		return err
	}
	var blob []byte
	if err := arrayOf(k.name+".bytes", &blob, -1).load(gr); err != nil {
		return err
	}
	t := KeyTable{ends: ends}
	off := 0
	for first := 0; first < len(ends); first += keyBlock {
		last := min(first+keyBlock, len(ends)) - 1
		for i := first + 1; i <= last; i++ {
			if ends[i] < ends[i-1] {
				return fmt.Errorf("%w: %s: string %d ends before the one before it", snapshot.ErrDamaged, k.name, i)
			}
		}
		size := int(ends[last])
		if off+size > len(blob) {
			return fmt.Errorf("%w: %s: block %d runs past the bytes", snapshot.ErrDamaged, k.name, first/keyBlock)
		}
		// The full slice expression keeps a later add from writing
		// into the next block.
		t.blocks = append(t.blocks, blob[off:off+size:off+size])
		off += size
	}
	if off != len(blob) {
		return fmt.Errorf("%w: %s: %d bytes after the last string", snapshot.ErrDamaged, k.name, len(blob)-off)
	}
	*k.t = t
	return nil
}

// saveGraph writes g, kept for a snapshot (g.patch set), to path with
// meta: Previous is prev (the stored results after the run), each
// record's severity the projected one (severity; nil: g's own).
func saveGraph(path, id string, meta snapshot.Meta, g *Graph, prev *Previous, severity []float32) error {
	if !littleEndian() {
		return fmt.Errorf("snapshot: the graph format is written on little-endian machines only")
	}
	if g.patch == nil {
		return fmt.Errorf("snapshot: the graph was not projected for a snapshot")
	}
	g.patch.indexRecords(g)
	if prev != nil && prev.Exact == nil {
		// No computed scores known (a graph projected, not run): none
		// saved, so the next run starts from the stored ones.
		exact := make([]float64, len(prev.Score))
		for v := range exact {
			exact[v] = math.NaN()
		}
		prev = &Previous{Score: prev.Score, Flags: prev.Flags, Exact: exact}
	}
	s := &savedGraph{id: id, g: g, previous: prev, severity: severity}
	if own := g.patch.ownNext; own != nil && own.Nodes == g.N() {
		// Every node of the file keeps its id in the next run's graph.
		o := *own
		o.Stable = g.N()
		s.own = &o
	}
	if s.severity == nil {
		s.severity = make([]float32, len(g.Records))
		for i := range g.Records {
			s.severity[i] = g.Records[i].Severity
		}
	}
	h := s.header()
	engine, err := json.Marshal(h)
	if err != nil {
		return err
	}
	return snapshot.SaveGraph(path, snapshot.GraphMeta{Meta: meta, Engine: engine}, func(gw *snapshot.GraphWriter) error {
		for _, sec := range s.sections(&h) {
			sec.save(gw)
		}
		return nil
	})
}

// indexRecords indexes the records by id, once.
func (ps *patchState) indexRecords(g *Graph) {
	if ps.recordsIndexed {
		return
	}
	ps.records = newStrIndex()
	ps.records.reserve(len(g.Records))
	for i := range g.Records {
		id := g.RecordIDs.At(int32(i))
		if j, slot, h := ps.records.find(id, &g.RecordIDs); j < 0 {
			ps.records.insert(slot, h, int32(i))
		}
	}
	ps.recordsIndexed = true
}

// SnapshotGraph is a graph snapshot: the graph with what Patch needs, and
// the meta saying what it reflects.
type SnapshotGraph struct {
	Meta  snapshot.Meta
	Graph *Graph
	id    string // the graph file's
}

// Save writes the snapshot to path (the graph's own Previous and
// severities), as a new graph file.
func (s *SnapshotGraph) Save(path string) error { return s.save(path, s.Graph.Previous, nil) }

func (s *SnapshotGraph) save(path string, prev *Previous, severity []float32) error {
	s.id = newGraphID()
	return saveGraph(path, s.id, s.Meta, s.Graph, prev, severity)
}

// LoadSnapshotGraph reads a graph snapshot (format 2). The records' life
// (Record.Ended) is cleared and their severities are the projected ones,
// as Project gives them; Previous holds the stored results the file
// carries. Any error means nothing of the file may be used.
func LoadSnapshotGraph(path string) (*SnapshotGraph, error) {
	if !littleEndian() {
		return nil, fmt.Errorf("%w: the graph format is read on little-endian machines only", snapshot.ErrVersion)
	}
	out := &SnapshotGraph{}
	err := snapshot.LoadGraph(path, func(m *snapshot.GraphMeta, gr *snapshot.GraphReader) error {
		var h graphHeader
		if err := json.Unmarshal(m.Engine, &h); err != nil {
			return fmt.Errorf("%w: engine header: %v", snapshot.ErrDamaged, err)
		}
		if h.Layout != graphLayout || !slices.Equal(h.FlagKinds, FlagKinds) {
			return fmt.Errorf("%w: layout %q, flag kinds %v; this riskgraph's %q, %v", snapshot.ErrVersion, h.Layout, h.FlagKinds, graphLayout, FlagKinds)
		}
		if h.Nodes < 0 || h.Nodes > math.MaxInt32 || h.Edges < 0 || h.Edges > math.MaxInt32 || h.Records < 0 || h.Records > math.MaxInt32 {
			return fmt.Errorf("%w: %d nodes, %d edges, %d records", snapshot.ErrDamaged, h.Nodes, h.Edges, h.Records)
		}
		g := &Graph{NumEnterprises: h.Enterprises, NumPersons: h.Persons, Regions: h.Regions, Industries: h.Industries,
			Titles: h.Titles, RecordKinds: h.Kinds, sameAs: h.SameAs, patch: &patchState{recordsIndexed: true}}
		s := &savedGraph{g: g}
		if h.Previous {
			s.previous = &Previous{}
		}
		if own := h.Ownership; own != nil && (own.Hi < 0 || own.Hi > math.MaxInt32 || own.Holdings < 0 || own.Owners < 0) {
			return fmt.Errorf("%w: ownership of %d nodes, %d holdings, %d owners", snapshot.ErrDamaged, own.Hi, own.Holdings, own.Owners)
		}
		for _, sec := range s.sections(&h) {
			if err := sec.load(gr); err != nil {
				return err
			}
		}
		for i, x := range g.indexes() {
			x.seed, x.n = h.Seeds[i], h.Indexed[i]
		}
		for i := range g.Records {
			g.Records[i].Severity, g.Records[i].Ended = s.severity[i], NoDay
		}
		g.Previous = s.previous
		if err := g.check(); err != nil {
			return fmt.Errorf("%w: %v", snapshot.ErrDamaged, err)
		}
		if own := h.Ownership; own != nil {
			if err := own.check(); err != nil || own.Nodes != h.Nodes {
				return fmt.Errorf("%w: %v (of %d nodes in a graph of %d)", snapshot.ErrDamaged, err, own.Nodes, h.Nodes)
			}
			g.patch.ownPrev = own
		}
		out.Meta, out.Graph, out.id = m.Meta, g, h.ID
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// check verifies what a graph read from a file must hold for the engine
// to index it safely: offsets that rise to the arrays' ends, node and
// record numbers and codes in range, key indexes of the right size.
func (g *Graph) check() error {
	n := int32(g.N())
	if err := checkOffsets("out", g.OutOff, len(g.Edges)); err != nil {
		return err
	}
	if err := checkOffsets("in", g.InOff, len(g.In)); err != nil {
		return err
	}
	if err := checkOffsets("records", g.RecOff, len(g.RecIdx)); err != nil {
		return err
	}
	for v := range n {
		for _, e := range g.Edges[g.OutOff[v]:g.OutOff[v+1]] {
			if e.From != v || e.To < 0 || e.To >= n || e.Type >= numEdgeTypes || (e.Type == EdgeOfficer && int(e.Title) >= len(g.Titles)) {
				return fmt.Errorf("edge %d→%d type %d out of place or range", e.From, e.To, e.Type)
			}
		}
		if g.Kinds[v] > NodeEmail || int(g.Region[v]) >= len(g.Regions) || int(g.Industry[v]) >= len(g.Industries) ||
			int(g.Status[v]) >= len(statuses) || int(g.EntKind[v]) >= len(entKinds) {
			return fmt.Errorf("node %d: kind or codes out of range", v)
		}
	}
	for _, i := range g.In {
		if i < 0 || int(i) >= len(g.Edges) {
			return fmt.Errorf("in-index %d out of range", i)
		}
	}
	for _, i := range g.RecIdx {
		if i < 0 || int(i) >= len(g.Records) {
			return fmt.Errorf("record index %d out of range", i)
		}
	}
	for i := range g.Records {
		if r := &g.Records[i]; r.Subject < 0 || r.Subject >= n || int(r.Kind) >= len(g.RecordKinds) {
			return fmt.Errorf("record %d: subject %d or kind %d out of range", i, r.Subject, r.Kind)
		}
	}
	if g.Keys.Len() != int(n) || g.RecordIDs.Len() != len(g.Records) {
		return fmt.Errorf("%d keys for %d nodes, %d record ids for %d records", g.Keys.Len(), n, g.RecordIDs.Len(), len(g.Records))
	}
	ps := g.patch
	tables := [6]int{int(n), int(n), len(g.Records), ps.shared[0].keys.Len(), ps.shared[1].keys.Len(), ps.shared[2].keys.Len()}
	for i, x := range g.indexes() {
		if len(x.slots) < 1024 || len(x.slots)&(len(x.slots)-1) != 0 || 4*x.n > 3*len(x.slots) {
			return fmt.Errorf("key index %d: %d slots for %d keys", i, len(x.slots), x.n)
		}
		for _, sl := range x.slots {
			if id := int32(uint32(sl)) - 1; sl != 0 && (id < 0 || int(id) >= tables[i]) {
				return fmt.Errorf("key index %d: id %d out of range", i, id)
			}
		}
	}
	for f := range ps.shared {
		sv, m := &ps.shared[f], int32(ps.shared[f].keys.Len())
		for i := range sv.first {
			if sv.first[i] < -1 || sv.first[i] >= n || sv.group[i] < -1 || sv.group[i] >= n {
				return fmt.Errorf("shared value %d of field %d: node out of range", i, f)
			}
		}
		for _, i := range ps.valOf[f] {
			if i < -1 || i >= m {
				return fmt.Errorf("value %d of field %d out of range", i, f)
			}
		}
	}
	return nil
}

// checkOffsets checks that off starts at 0, never falls, and ends at m.
func checkOffsets(name string, off []int32, m int) error {
	if len(off) == 0 || off[0] != 0 || int(off[len(off)-1]) != m {
		return fmt.Errorf("%s offsets do not span %d entries", name, m)
	}
	for i := 1; i < len(off); i++ {
		if off[i] < off[i-1] {
			return fmt.Errorf("%s offsets fall at %d", name, i)
		}
	}
	return nil
}
