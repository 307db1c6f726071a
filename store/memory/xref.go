package memory

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"riskgraph/store"
)

var _ store.XrefStore = (*Store)(nil)

// Xref pairs, their decisions and xref runs (store.XrefStore). The journal
// holds the pairs as added (xrefEntry.Pairs: inserted when their id is
// new, so a compacted journal writes each pair once with its state) and
// every decision (xrefEntry.Decide, replayed as made). A confirmed pair is
// a SAME_AS link, kept beside the adjacency lists (links) rather than in
// them: the scans do not carry it, Expand adds it.

// xrefRows is how many pairs one journal record holds.
const xrefRows = 20_000

// xrefEntry is the journal record of added pairs, a decision or an xref run.
type xrefEntry struct {
	Pairs  []store.XrefPair `json:"pairs,omitempty"`
	Decide *xrefDecide      `json:"decide,omitempty"`
	Run    *store.Run       `json:"run,omitempty"`
}

// xrefDecide is a decision on pair ID (its Status already computed).
type xrefDecide struct {
	ID       string             `json:"id"`
	Decision store.XrefDecision `json:"decision"`
}

// xrefs is the table.
type xrefs struct {
	pairs map[string]*store.XrefPair
	runs  map[string]*store.Run
	// links: enterprise key → ids of its confirmed pairs.
	links map[string][]string
}

func (x *xrefs) init() {
	if x.pairs == nil {
		x.pairs, x.runs, x.links = map[string]*store.XrefPair{}, map[string]*store.Run{}, map[string][]string{}
	}
}

// apply replays a record; a decision advances the data generation.
func (g *graph) applyXref(e *xrefEntry) {
	if e == nil {
		return
	}
	x := &g.xref
	x.init()
	for i := range e.Pairs {
		p := e.Pairs[i]
		if _, ok := x.pairs[p.ID]; ok {
			continue
		}
		p.History = slices.Clone(p.History)
		x.pairs[p.ID] = &p
		if p.Status == store.XrefConfirmed {
			x.link(&p)
		}
	}
	if d := e.Decide; d != nil {
		g.generation++
		p, ok := x.pairs[d.ID]
		if !ok {
			return
		}
		was := p.Status
		p.Status, p.DecidedBy, p.DecidedAt = d.Decision.Status, d.Decision.By, d.Decision.At
		p.History = append(p.History, d.Decision)
		switch {
		case was != store.XrefConfirmed && p.Status == store.XrefConfirmed:
			x.link(p)
		case was == store.XrefConfirmed && p.Status != store.XrefConfirmed:
			x.unlink(p)
		}
	}
	if e.Run != nil {
		r := *e.Run
		x.runs[r.ID] = &r
	}
}

func (x *xrefs) link(p *store.XrefPair) {
	for _, k := range []string{p.A, p.B} {
		if !slices.Contains(x.links[k], p.ID) {
			x.links[k] = append(x.links[k], p.ID)
		}
	}
}

func (x *xrefs) unlink(p *store.XrefPair) {
	for _, k := range []string{p.A, p.B} {
		x.links[k] = slices.DeleteFunc(x.links[k], func(id string) bool { return id == p.ID })
		if len(x.links[k]) == 0 {
			delete(x.links, k)
		}
	}
}

// sameAsEdges returns the SAME_AS edges of enterprise key.
func (x *xrefs) sameAsEdges(key string) []store.Edge {
	var out []store.Edge
	for _, id := range x.links[key] {
		out = append(out, store.SameAsEdge(*x.pairs[id]))
	}
	return out
}

// snapshot emits every pair with its state, then every xref run.
func (x *xrefs) snapshot(emit func(*entry) error) error {
	ps := make([]store.XrefPair, 0, len(x.pairs))
	for _, p := range x.pairs {
		ps = append(ps, *p)
	}
	store.SortXrefPairs(ps)
	for lo := 0; lo < len(ps); lo += xrefRows {
		if err := emit(&entry{Xref: &xrefEntry{Pairs: ps[lo:min(lo+xrefRows, len(ps))]}}); err != nil {
			return err
		}
	}
	for _, r := range x.runs {
		if err := emit(&entry{Xref: &xrefEntry{Run: r}}); err != nil {
			return err
		}
	}
	return nil
}

// AddXrefPairs journals the pairs whose id is new.
func (s *Store) AddXrefPairs(ctx context.Context, pairs []store.XrefPair) (int, error) {
	for i := range pairs {
		if err := pairs[i].Validate(); err != nil {
			return 0, err
		}
	}
	s.xrefMu.Lock()
	defer s.xrefMu.Unlock()
	s.mu.RLock()
	if err := s.open(); err != nil {
		s.mu.RUnlock()
		return 0, err
	}
	var fresh []store.XrefPair
	seen := map[string]bool{}
	for _, p := range pairs {
		if _, ok := s.g.xref.pairs[p.ID]; ok || seen[p.ID] {
			continue
		}
		seen[p.ID] = true
		p.Status, p.DecidedBy, p.DecidedAt, p.History = store.XrefCandidate, "", time.Time{}, nil
		p.Found = p.Found.UTC().Truncate(0)
		fresh = append(fresh, p)
	}
	s.mu.RUnlock()
	for lo := 0; lo < len(fresh); lo += xrefRows {
		if err := s.commit(ctx, &entry{Xref: &xrefEntry{Pairs: fresh[lo:min(lo+xrefRows, len(fresh))]}}); err != nil {
			return lo, err
		}
	}
	return len(fresh), nil
}

// XrefPair returns one pair.
func (s *Store) XrefPair(_ context.Context, id string) (store.XrefPair, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.open(); err != nil {
		return store.XrefPair{}, err
	}
	p, ok := s.g.xref.pairs[id]
	if !ok {
		return store.XrefPair{}, fmt.Errorf("xref pair %q: %w", id, store.ErrNotFound)
	}
	return clonePair(p), nil
}

func clonePair(p *store.XrefPair) store.XrefPair {
	c := *p
	c.History = slices.Clone(p.History)
	c.Blocks = slices.Clone(p.Blocks)
	if p.Evidence != nil {
		c.Evidence = make(map[string]float64, len(p.Evidence))
		for k, v := range p.Evidence {
			c.Evidence[k] = v
		}
	}
	return c
}

// XrefPairs lists pairs by score, then id.
func (s *Store) XrefPairs(_ context.Context, q store.XrefQuery) ([]store.XrefPair, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.open(); err != nil {
		return nil, err
	}
	out := []store.XrefPair{}
	if q.Limit < 1 {
		return out, nil
	}
	for _, p := range s.g.xref.pairs {
		if q.Selects(p) {
			out = append(out, clonePair(p))
		}
	}
	store.SortXrefPairs(out)
	return out[:min(len(out), q.Limit)], nil
}

// DecideXrefPair journals a decision the pair's status admits.
func (s *Store) DecideXrefPair(ctx context.Context, id string, d store.XrefDecision) (store.XrefPair, error) {
	s.xrefMu.Lock()
	defer s.xrefMu.Unlock()
	cur, err := s.XrefPair(ctx, id)
	if err != nil {
		return store.XrefPair{}, err
	}
	if d.Status, err = store.NextXrefStatus(cur.Status, d.Decision); err != nil {
		return store.XrefPair{}, fmt.Errorf("xref pair %s: %w", id, err)
	}
	d.At = d.At.UTC().Truncate(0)
	if err := s.commit(ctx, &entry{Xref: &xrefEntry{Decide: &xrefDecide{ID: id, Decision: d}}}); err != nil {
		return store.XrefPair{}, err
	}
	return s.XrefPair(ctx, id)
}

// SameAs returns the confirmed pairs by id.
func (s *Store) SameAs(_ context.Context) ([]store.XrefPair, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.open(); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	out := []store.XrefPair{}
	for _, ids := range s.g.xref.links {
		for _, id := range ids {
			if !seen[id] {
				seen[id] = true
				out = append(out, clonePair(s.g.xref.pairs[id]))
			}
		}
	}
	slices.SortFunc(out, func(a, b store.XrefPair) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// SaveXrefRun journals an xref run's record.
func (s *Store) SaveXrefRun(ctx context.Context, r store.Run) error {
	if r.ID == "" {
		return fmt.Errorf("%w: empty xref run id", store.ErrInvalid)
	}
	return s.commit(ctx, &entry{Xref: &xrefEntry{Run: &r}})
}

// XrefRun returns an xref run's record.
func (s *Store) XrefRun(_ context.Context, id string) (store.Run, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.open(); err != nil {
		return store.Run{}, err
	}
	r, ok := s.g.xref.runs[id]
	if !ok {
		return store.Run{}, fmt.Errorf("xref run %q: %w", id, store.ErrNotFound)
	}
	return *r, nil
}
