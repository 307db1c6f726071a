package memory

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/durable"
)

// compactRows is how many rows one record of a compacted journal holds.
const compactRows = 20_000

// CompactStats says what Compact did.
type CompactStats struct {
	BytesBefore, BytesAfter int64
	Records                 int // records in the compacted journal
}

// Compact rewrites the journal as the store's current state: every node,
// record and relationship once (with their match scores), current and
// staged results, runs, API keys, the review queue, reports, snapshots,
// watch-lists, xref pairs and xref runs. Audit entries that an earlier version
// journaled are left out: Open moved them into the audit log before the
// store could be compacted. Repeated loads of
// the same data, replaced values and deleted snapshots no longer take
// space or replay time.
//
// The new journal is written beside the old one, fsynced, and renamed over
// it, so a crash at any point leaves either the old journal or the new one,
// both complete; a leftover temporary file is removed on open. Writes wait
// while it runs (the store's write lock is held); reads too.
func (s *Store) Compact(ctx context.Context) (CompactStats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.open(); err != nil {
		return CompactStats{}, err
	}
	if s.readOnly {
		return CompactStats{}, fmt.Errorf("compact: %w", ErrReadOnly)
	}
	if s.journal == nil {
		return CompactStats{}, nil
	}
	st := CompactStats{BytesBefore: s.journal.size}
	path := s.journal.path
	tmp := path + compactSuffix
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o600)
	if err != nil {
		return st, fmt.Errorf("compact: %w", err)
	}
	next := newJournal(f, 0)
	fail := func(err error) (CompactStats, error) {
		f.Close()
		os.Remove(tmp)
		return st, fmt.Errorf("compact %s: %w", path, err)
	}
	err = s.g.snapshot(func(e *entry) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		payload, err := json.Marshal(e)
		if err != nil {
			return err
		}
		if _, err := next.append(payload); err != nil {
			return err
		}
		st.Records++
		return nil
	})
	if err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fail(err)
	}
	if err := durable.SyncDir(filepath.Dir(path)); err != nil {
		// The rename happened; only its durability is unknown. Every
		// record is in the new file, so carry on with it.
		s.log.Warn().Err(err).Str("journal", path).Msg("compact: could not fsync the data directory")
	}
	s.journal.replace(next)
	st.BytesAfter = next.size
	return st, nil
}

// compactSuffix names the temporary file of a compaction.
const compactSuffix = ".compact"

// rows is the number of rows the graph holds: nodes, records and relationships.
func (g *graph) rows() int {
	return len(g.nodes) + len(g.recs) + len(g.shares) + len(g.roles) + len(g.branches) + len(g.relations) + len(g.controls) + len(g.licences.rows)
}

// snapshot emits the graph's state as journal entries that replay to it.
func (g *graph) snapshot(emit func(*entry) error) error {
	var b store.Batch
	flush := func() error {
		if b.Len() == 0 {
			return nil
		}
		e := &entry{Batch: &b}
		err := emit(e)
		b = store.Batch{}
		return err
	}
	add := func(put func()) error {
		put()
		if b.Len() >= compactRows {
			return flush()
		}
		return nil
	}
	var risks []models.RiskResult
	for id := range g.nodes {
		id := nodeID(id)
		var err error
		if g.nodes[id].isEnterprise() {
			e := g.enterprise(id)
			e.Risk = nil
			err = add(func() { b.Enterprises = append(b.Enterprises, e) })
		} else {
			p := g.person(id)
			p.Risk = nil
			err = add(func() { b.Persons = append(b.Persons, p) })
		}
		if err != nil {
			return err
		}
		if r := g.nodes[id].risk; r != nil {
			risks = append(risks, models.RiskResult{Ref: g.ref(id), Risk: *r})
		}
	}
	for i := range g.recs {
		if err := add(func() { b.Records = append(b.Records, g.record(int32(i))) }); err != nil {
			return err
		}
	}
	for i := range g.shares {
		if err := add(func() { b.Shareholdings = append(b.Shareholdings, g.shareholding(int32(i))) }); err != nil {
			return err
		}
	}
	for i := range g.roles {
		if err := add(func() { b.Roles = append(b.Roles, g.role(int32(i))) }); err != nil {
			return err
		}
	}
	for i := range g.branches {
		if err := add(func() { b.Branches = append(b.Branches, g.branch(int32(i))) }); err != nil {
			return err
		}
	}
	for i := range g.relations {
		if err := add(func() { b.Relations = append(b.Relations, g.relation(int32(i))) }); err != nil {
			return err
		}
	}
	for i := range g.controls {
		if err := add(func() { b.Controls = append(b.Controls, g.control(int32(i))) }); err != nil {
			return err
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if err := g.snapshotLicences(emit); err != nil {
		return err
	}
	// The data generation counts batches; the snapshot's are fewer.
	if err := emit(&entry{Generation: g.generation}); err != nil {
		return err
	}
	for lo := 0; lo < len(risks); lo += compactRows {
		if err := emit(&entry{Current: risks[lo:min(lo+compactRows, len(risks))]}); err != nil {
			return err
		}
	}
	staged := make([]models.RiskResult, 0, g.staged.len())
	g.staged.each(func(id nodeID, c *current) {
		staged = append(staged, models.RiskResult{Ref: g.ref(id), Risk: c.risk})
	})
	for lo := 0; lo < len(staged); lo += compactRows {
		if err := emit(&entry{Results: staged[lo:min(lo+compactRows, len(staged))]}); err != nil {
			return err
		}
	}
	for _, r := range g.runs {
		if err := emit(&entry{Run: r}); err != nil {
			return err
		}
	}
	if err := g.access.snapshot(emit); err != nil {
		return err
	}
	if err := g.reviews.snapshot(emit); err != nil {
		return err
	}
	if err := g.reports.snapshot(emit); err != nil {
		return err
	}
	if err := g.xref.snapshot(emit); err != nil {
		return err
	}
	if err := g.checks.snapshot(emit); err != nil {
		return err
	}
	if err := g.file.snapshot(emit); err != nil {
		return err
	}
	if err := g.creditReports.snapshot(emit); err != nil {
		return err
	}
	return g.cases.snapshot(emit)
}

// snapshot emits the keys (revocations included).
func (a *access) snapshot(emit func(*entry) error) error {
	for _, k := range a.keys {
		if err := emit(&entry{Key: k}); err != nil {
			return err
		}
	}
	return nil
}

// snapshot emits every report (with its body and delivery), snapshot and watch-list.
func (r *reports) snapshot(emit func(*entry) error) error {
	for _, x := range r.reports {
		if err := emit(&entry{Reports: &reportsEntry{Report: x, Body: x.Body}}); err != nil {
			return err
		}
	}
	for run, data := range r.snapshots {
		if err := emit(&entry{Reports: &reportsEntry{SnapshotRun: run, Snapshot: data}}); err != nil {
			return err
		}
	}
	for _, w := range r.watchlists {
		if err := emit(&entry{Reports: &reportsEntry{Watchlist: w}}); err != nil {
			return err
		}
	}
	return nil
}
