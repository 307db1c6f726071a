package memory

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"riskgraph/store"
)

var (
	_ store.ReportStore    = (*Store)(nil)
	_ store.WatchlistStore = (*Store)(nil)
)

// reportsEntry is the journal record of a report, a delivery status, a
// snapshot or a watch-list change.
type reportsEntry struct {
	Report          *store.Report    `json:"report,omitempty"`
	Body            []byte           `json:"body,omitempty"`
	DeliveryOf      string           `json:"delivery_of,omitempty"`
	Delivery        json.RawMessage  `json:"delivery,omitempty"`
	SnapshotRun     string           `json:"snapshot_run,omitempty"`
	Snapshot        []byte           `json:"snapshot,omitempty"`
	DeleteSnapshot  string           `json:"delete_snapshot,omitempty"`
	Watchlist       *store.Watchlist `json:"watchlist,omitempty"`
	DeleteWatchlist string           `json:"delete_watchlist,omitempty"`
}

// reports holds reports, run snapshots and watch-lists.
type reports struct {
	reports    map[string]*store.Report
	snapshots  map[string][]byte
	watchlists map[string]*store.Watchlist
}

func (r *reports) apply(e *reportsEntry) {
	if e == nil {
		return
	}
	if r.reports == nil {
		r.reports, r.snapshots, r.watchlists = map[string]*store.Report{}, map[string][]byte{}, map[string]*store.Watchlist{}
	}
	if e.Report != nil {
		c := *e.Report
		c.Body = e.Body
		r.reports[c.ID] = &c
	}
	if e.DeliveryOf != "" {
		if x := r.reports[e.DeliveryOf]; x != nil {
			x.Delivery = e.Delivery
		}
	}
	if e.SnapshotRun != "" {
		r.snapshots[e.SnapshotRun] = e.Snapshot
	}
	if e.DeleteSnapshot != "" {
		delete(r.snapshots, e.DeleteSnapshot)
	}
	if e.Watchlist != nil {
		c := *e.Watchlist
		c.Keys = slices.Clone(c.Keys)
		r.watchlists[c.ID] = &c
	}
	if e.DeleteWatchlist != "" {
		delete(r.watchlists, e.DeleteWatchlist)
	}
}

// SaveReport journals a report with its body.
func (s *Store) SaveReport(ctx context.Context, r store.Report) error {
	if r.ID == "" || r.Run == "" {
		return fmt.Errorf("%w: a report needs an id and a run", store.ErrInvalid)
	}
	body := r.Body
	r.Body = nil
	return s.commit(ctx, &entry{Reports: &reportsEntry{Report: &r, Body: body}})
}

// Report returns a report with its body.
func (s *Store) Report(_ context.Context, id string) (store.Report, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.open(); err != nil {
		return store.Report{}, err
	}
	r, ok := s.g.reports.reports[id]
	if !ok {
		return store.Report{}, fmt.Errorf("report %q: %w", id, store.ErrNotFound)
	}
	c := *r
	c.Body = slices.Clone(r.Body)
	return c, nil
}

// Reports lists reports without bodies, newest first.
func (s *Store) Reports(_ context.Context, limit int) ([]store.Report, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.open(); err != nil {
		return nil, err
	}
	out := make([]store.Report, 0, len(s.g.reports.reports))
	for _, r := range s.g.reports.reports {
		c := *r
		c.Body = nil
		out = append(out, c)
	}
	store.SortReports(out)
	return out[:min(len(out), max(limit, 0))], nil
}

// SetReportDelivery replaces a report's delivery status.
func (s *Store) SetReportDelivery(ctx context.Context, id string, delivery json.RawMessage) error {
	s.mu.RLock()
	_, ok := s.g.reports.reports[id]
	s.mu.RUnlock()
	if !ok {
		return fmt.Errorf("report %q: %w", id, store.ErrNotFound)
	}
	return s.commit(ctx, &entry{Reports: &reportsEntry{DeliveryOf: id, Delivery: delivery}})
}

// SaveSnapshot journals a run's snapshot.
func (s *Store) SaveSnapshot(ctx context.Context, run string, data []byte) error {
	if run == "" || len(data) == 0 {
		return fmt.Errorf("%w: a snapshot needs a run id and data", store.ErrInvalid)
	}
	return s.commit(ctx, &entry{Reports: &reportsEntry{SnapshotRun: run, Snapshot: data}})
}

// Snapshot returns a run's snapshot.
func (s *Store) Snapshot(_ context.Context, run string) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.open(); err != nil {
		return nil, err
	}
	b, ok := s.g.reports.snapshots[run]
	if !ok {
		return nil, fmt.Errorf("snapshot of run %q: %w", run, store.ErrNotFound)
	}
	return slices.Clone(b), nil
}

// DeleteSnapshot journals the removal of a run's snapshot.
func (s *Store) DeleteSnapshot(ctx context.Context, run string) error {
	s.mu.RLock()
	_, ok := s.g.reports.snapshots[run]
	s.mu.RUnlock()
	if !ok {
		return nil
	}
	return s.commit(ctx, &entry{Reports: &reportsEntry{DeleteSnapshot: run}})
}

// SaveWatchlist journals a watch-list.
func (s *Store) SaveWatchlist(ctx context.Context, w store.Watchlist) error {
	if w.ID == "" {
		return fmt.Errorf("%w: a watch-list needs an id", store.ErrInvalid)
	}
	return s.commit(ctx, &entry{Reports: &reportsEntry{Watchlist: &w}})
}

// Watchlist returns one watch-list.
func (s *Store) Watchlist(_ context.Context, id string) (store.Watchlist, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.open(); err != nil {
		return store.Watchlist{}, err
	}
	w, ok := s.g.reports.watchlists[id]
	if !ok {
		return store.Watchlist{}, fmt.Errorf("watch-list %q: %w", id, store.ErrNotFound)
	}
	c := *w
	c.Keys = slices.Clone(w.Keys)
	return c, nil
}

// Watchlists lists every watch-list, oldest first.
func (s *Store) Watchlists(_ context.Context) ([]store.Watchlist, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.open(); err != nil {
		return nil, err
	}
	out := make([]store.Watchlist, 0, len(s.g.reports.watchlists))
	for _, w := range s.g.reports.watchlists {
		c := *w
		c.Keys = slices.Clone(w.Keys)
		out = append(out, c)
	}
	store.SortWatchlists(out)
	return out, nil
}

// DeleteWatchlist deletes a watch-list.
func (s *Store) DeleteWatchlist(ctx context.Context, id string) error {
	s.mu.RLock()
	_, ok := s.g.reports.watchlists[id]
	s.mu.RUnlock()
	if !ok {
		return fmt.Errorf("watch-list %q: %w", id, store.ErrNotFound)
	}
	return s.commit(ctx, &entry{Reports: &reportsEntry{DeleteWatchlist: id}})
}
