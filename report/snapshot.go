package report

import (
	"bufio"
	"bytes"
	"compress/flate"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"sync"

	"riskgraph/engine"
	"riskgraph/models"
	"riskgraph/store"
)

// Entity is one entity's result in a run, as a report compares it.
type Entity struct {
	Ref      models.Ref
	Score    float64 // rounded to ScoreQuantum
	Grade    string
	Region   string // enterprises: GB/T 2260 code
	Industry string // enterprises: GB/T 4754 code
	Flags    []string
	// Top are the run's largest contributions (record id and amount), from
	// the engine's details; persisted.
	Top []TopContribution
	// Details is the engine's JSON (flag evidence, contributions). It is
	// kept in memory for the run being reported on and never persisted.
	Details json.RawMessage
}

// TopContribution is one of an entity's largest score contributions.
type TopContribution struct {
	Record string
	Amount float64
}

// Snapshot is a run's results in compact form: every entity sorted by
// reference, and the serious records (SeriousKinds) in force.
type Snapshot struct {
	Run      string
	Entities []Entity
	// Serious maps the id of each serious-violation or blacklist record in
	// force to its subject ("kind:key").
	Serious map[string]string
}

// SeriousKinds are the record kinds whose new records a report lists.
var SeriousKinds = []models.RecordKind{models.RecordSeriousViolation, models.RecordBlacklist}

// ScoreQuantum is the precision scores are kept at in snapshots (and so in
// reports), so that a snapshot read back gives the same report as the one
// built in memory.
const ScoreQuantum = 1e-7

func quantize(s float64) float64 { return math.Round(s/ScoreQuantum) * ScoreQuantum }

// Find returns the entity with the given reference.
func (s *Snapshot) Find(r models.Ref) (*Entity, bool) {
	i, ok := slices.BinarySearchFunc(s.Entities, r, func(e Entity, r models.Ref) int { return compareRef(e.Ref, r) })
	if !ok {
		return nil, false
	}
	return &s.Entities[i], true
}

func compareRef(a, b models.Ref) int {
	if c := strings.Compare(string(a.Kind), string(b.Kind)); c != 0 {
		return c
	}
	return strings.Compare(a.Key, b.Key)
}

// Builder collects a snapshot from results and records in any order.
type Builder struct {
	mu   sync.Mutex
	snap Snapshot
	// attrs: region and industry by enterprise key, when known separately.
	attrs func(key string) (region, industry string)
}

// NewBuilder starts a snapshot of run. attrs, when not nil, gives an
// enterprise's region and industry (for results that do not carry them).
func NewBuilder(run string, attrs func(key string) (region, industry string)) *Builder {
	return &Builder{snap: Snapshot{Run: run, Serious: map[string]string{}}, attrs: attrs}
}

// AddResult adds an entity's result.
func (b *Builder) AddResult(ref models.Ref, r *models.Risk, region, industry string) {
	e := Entity{Ref: ref, Score: quantize(r.Score), Grade: r.Grade, Region: region, Industry: industry,
		Flags: slices.Clone(r.Flags), Details: r.Details}
	if ref.Kind == models.KindEnterprise && b.attrs != nil && region == "" && industry == "" {
		e.Region, e.Industry = b.attrs(ref.Key)
	}
	if len(r.Details) > 0 {
		var d engine.Details
		if json.Unmarshal(r.Details, &d) == nil {
			for _, c := range d.Contributions {
				e.Top = append(e.Top, TopContribution{Record: c.Record, Amount: quantize(c.Amount)})
			}
		}
	}
	b.mu.Lock()
	b.snap.Entities = append(b.snap.Entities, e)
	b.mu.Unlock()
}

// AddSerious records a serious record in force.
func (b *Builder) AddSerious(id string, subject models.Ref) {
	b.mu.Lock()
	b.snap.Serious[id] = subject.String()
	b.mu.Unlock()
}

// Snapshot sorts and returns the snapshot; the builder is spent.
func (b *Builder) Snapshot() *Snapshot {
	b.mu.Lock()
	defer b.mu.Unlock()
	slices.SortFunc(b.snap.Entities, func(x, y Entity) int { return compareRef(x.Ref, y.Ref) })
	s := b.snap
	return &s
}

// inForce reports whether a record is in force on day today (zero: always).
func inForce(r models.Record, today models.Date) bool {
	if r.Decided.IsZero() || (!today.IsZero() && r.Decided.After(today.Time)) {
		return false
	}
	return r.Removed.IsZero() || (!today.IsZero() && r.Removed.After(today.Time))
}

// FromStore builds the snapshot of the results currently promoted in s
// (which must all belong to run) by scanning the whole graph. Records count
// as in force on today. It is the fallback when a run was scored without
// a snapshot, and the way to rebuild one.
func FromStore(ctx context.Context, s store.Scanner, run string, today models.Date) (*Snapshot, error) {
	b := NewBuilder(run, nil)
	err := s.Scan(ctx, 10_000, func(p *store.Batch) error {
		for i := range p.Enterprises {
			e := &p.Enterprises[i]
			if e.Risk != nil {
				b.AddResult(e.Ref(), e.Risk, e.Region, e.Industry)
			}
		}
		for i := range p.Persons {
			if r := p.Persons[i].Risk; r != nil {
				b.AddResult(p.Persons[i].Ref(), r, "", "")
			}
		}
		for _, r := range p.Records {
			if slices.Contains(SeriousKinds, r.Kind) && inForce(r, today) {
				b.AddSerious(r.ID, r.Subject)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("report: snapshot from store: %w", err)
	}
	return b.Snapshot(), nil
}

// Capture wraps the store a scoring run writes to and builds the run's
// snapshot from the results as they are staged, so that the report needs
// no second pass over the graph.
type Capture struct {
	engine.ScoreStore
	b *Builder
}

// NewCapture returns a capturing store for run.
func NewCapture(s engine.ScoreStore, run string) *Capture {
	return &Capture{ScoreStore: s, b: NewBuilder(run, nil)}
}

// WriteResults records the results, then stages them in the store.
// ScanProjection forwards the wrapped store's projection scan (or its
// Scan), so that capturing a run keeps the engine's fast path.
func (c *Capture) ScanProjection(ctx context.Context, pageSize int, fn func(*store.ProjectionPage) error) error {
	return store.ScanForProjection(ctx, c.ScoreStore, pageSize, fn)
}

func (c *Capture) WriteResults(ctx context.Context, results []models.RiskResult) error {
	for i := range results {
		c.b.AddResult(results[i].Ref, &results[i].Risk, "", "")
	}
	return c.ScoreStore.WriteResults(ctx, results)
}

// Snapshot completes the snapshot with the enterprises' region and
// industry and the serious records in force, from the run's graph. A run
// that knows the stored results (incremental, or from a projection
// snapshot) writes back only those that changed (engine.Result.Changed);
// every entity it did not write is added with the run's score, grade and
// flags, and the top contributions its stored details carry, which are
// those of prev, the snapshot of the run before (nil: none), so that the
// report sees every entity as a run writing everything would show it.
func (c *Capture) Snapshot(res *engine.Result, prev *Snapshot) *Snapshot {
	s := c.b.Snapshot()
	addUnwritten(s, res, prev)
	CompleteFromGraph(s, res.Graph, res.Today)
	return s
}

// addUnwritten adds to s, kept sorted, every entity of res's graph it
// does not hold (see Capture.Snapshot).
func addUnwritten(s *Snapshot, res *engine.Result, prev *Snapshot) {
	g := res.Graph
	if g.Previous == nil {
		return // every result was written
	}
	n := len(s.Entities)
	for v := range int32(g.N()) {
		if !g.IsEntity(v) {
			continue
		}
		ref := g.Ref(v)
		if _, ok := slices.BinarySearchFunc(s.Entities[:n], ref, func(e Entity, r models.Ref) int { return compareRef(e.Ref, r) }); ok {
			continue
		}
		e := Entity{Ref: ref, Score: quantize(res.Score[v]), Grade: res.Grade[v].String(), Flags: res.Flags.KindsOf(v)}
		if prev != nil {
			if p, ok := prev.Find(ref); ok {
				e.Top = p.Top
			}
		}
		s.Entities = append(s.Entities, e)
	}
	if len(s.Entities) > n {
		slices.SortFunc(s.Entities, func(x, y Entity) int { return compareRef(x.Ref, y.Ref) })
	}
}

// CompleteFromGraph fills region and industry of enterprises and the
// serious records in force on today from a projected graph.
func CompleteFromGraph(s *Snapshot, g *engine.Graph, today engine.Day) {
	for i := range s.Entities {
		e := &s.Entities[i]
		if e.Ref.Kind != models.KindEnterprise {
			continue
		}
		if v, ok := g.Lookup(e.Ref); ok {
			e.Region, e.Industry = g.Regions[g.Region[v]], g.Industries[g.Industry[v]]
		}
	}
	for ri := range g.Records {
		r := &g.Records[ri]
		kind := models.RecordKind(g.RecordKinds[r.Kind])
		if !slices.Contains(SeriousKinds, kind) || r.Decided == engine.NoDay || r.Decided > today ||
			(r.Removed != engine.NoDay && r.Removed <= today) {
			continue
		}
		s.Serious[g.RecordIDs.At(int32(ri))] = g.Ref(r.Subject).String()
	}
}

// Encoding: "RGSNAP1\n", then a DEFLATE stream of uvarint-length strings,
// uvarint numbers and scores as uvarint multiples of ScoreQuantum.
const snapMagic = "RGSNAP1\n"

type snapWriter struct {
	w   *bufio.Writer
	buf [binary.MaxVarintLen64]byte
}

func (w *snapWriter) uint(v uint64) {
	n := binary.PutUvarint(w.buf[:], v)
	w.w.Write(w.buf[:n])
}
func (w *snapWriter) str(s string) { w.uint(uint64(len(s))); w.w.WriteString(s) }
func (w *snapWriter) score(f float64) {
	w.uint(uint64(math.Round(f / ScoreQuantum)))
}

// Encode serializes the snapshot (without details) deterministically.
func (s *Snapshot) Encode() ([]byte, error) {
	var out bytes.Buffer
	out.WriteString(snapMagic)
	fw, err := flate.NewWriter(&out, flate.BestSpeed)
	if err != nil {
		return nil, err
	}
	w := &snapWriter{w: bufio.NewWriterSize(fw, 1<<16)}
	w.str(s.Run)
	w.uint(uint64(len(s.Entities)))
	for i := range s.Entities {
		e := &s.Entities[i]
		w.str(string(e.Ref.Kind))
		w.str(e.Ref.Key)
		w.score(e.Score)
		w.str(e.Grade)
		w.str(e.Region)
		w.str(e.Industry)
		w.uint(uint64(len(e.Flags)))
		for _, f := range e.Flags {
			w.str(f)
		}
		w.uint(uint64(len(e.Top)))
		for _, t := range e.Top {
			w.str(t.Record)
			w.score(t.Amount)
		}
	}
	ids := make([]string, 0, len(s.Serious))
	for id := range s.Serious {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	w.uint(uint64(len(ids)))
	for _, id := range ids {
		w.str(id)
		w.str(s.Serious[id])
	}
	if err := w.w.Flush(); err != nil {
		return nil, err
	}
	if err := fw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

type snapReader struct {
	r   *bufio.Reader
	err error
	// intern keeps one copy of repeated short strings (kinds, grades, flags, codes).
	intern map[string]string
}

func (r *snapReader) uint() uint64 {
	if r.err != nil {
		return 0
	}
	v, err := binary.ReadUvarint(r.r)
	if err != nil {
		r.err = err
	}
	return v
}

func (r *snapReader) str(intern bool) string {
	n := r.uint()
	if r.err != nil {
		return ""
	}
	if n > 1<<20 {
		r.err = errors.New("string too long")
		return ""
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r.r, b); err != nil {
		r.err = err
		return ""
	}
	if intern {
		if s, ok := r.intern[string(b)]; ok {
			return s
		}
		s := string(b)
		r.intern[s] = s
		return s
	}
	return string(b)
}

func (r *snapReader) score() float64 { return float64(r.uint()) * ScoreQuantum }

// DecodeSnapshot reads a snapshot written by Encode.
func DecodeSnapshot(data []byte) (*Snapshot, error) {
	if !bytes.HasPrefix(data, []byte(snapMagic)) {
		return nil, errors.New("report: not a snapshot (bad magic)")
	}
	fr := flate.NewReader(bytes.NewReader(data[len(snapMagic):]))
	defer fr.Close()
	r := &snapReader{r: bufio.NewReaderSize(fr, 1<<16), intern: map[string]string{}}
	s := &Snapshot{Run: r.str(false), Serious: map[string]string{}}
	n := r.uint()
	if n > 1<<31 {
		return nil, errors.New("report: snapshot: bad entity count")
	}
	s.Entities = make([]Entity, 0, min(n, 1<<24))
	for i := uint64(0); i < n && r.err == nil; i++ {
		e := Entity{Ref: models.Ref{Kind: models.NodeKind(r.str(true)), Key: r.str(false)}}
		e.Score, e.Grade, e.Region, e.Industry = r.score(), r.str(true), r.str(true), r.str(true)
		if k := r.uint(); k > 64 {
			r.err = errors.New("bad flag count")
		} else if k > 0 {
			e.Flags = make([]string, k)
			for j := range e.Flags {
				e.Flags[j] = r.str(true)
			}
		}
		if k := r.uint(); k > 64 {
			r.err = errors.New("bad contribution count")
		} else if k > 0 {
			e.Top = make([]TopContribution, k)
			for j := range e.Top {
				e.Top[j] = TopContribution{Record: r.str(false), Amount: r.score()}
			}
		}
		s.Entities = append(s.Entities, e)
	}
	m := r.uint()
	for i := uint64(0); i < m && r.err == nil; i++ {
		id := r.str(false)
		s.Serious[id] = r.str(false)
	}
	if r.err != nil {
		return nil, fmt.Errorf("report: snapshot %q is damaged: %w", s.Run, r.err)
	}
	return s, nil
}
