package store

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// Report is a stored early-warning report: the document the report package
// rendered (Body, JSON) with the runs it compares. Summary and Delivery are
// the report package's own JSON, kept small so that listings stay cheap.
type Report struct {
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
	// Run is the run reported on; Against the earlier run it is compared with.
	Run     string `json:"run"`
	Against string `json:"against"`
	// Scope describes the report's scope ("" for the whole graph).
	Scope    string          `json:"scope,omitempty"`
	Summary  json.RawMessage `json:"summary,omitempty"`
	Delivery json.RawMessage `json:"delivery,omitempty"`
	// Body is the report document. Reports (the listing) leaves it empty.
	Body []byte `json:"-"`
}

// ReportStore keeps reports and the per-run snapshots they are computed
// from; part of Store.
type ReportStore interface {
	// SaveReport inserts or replaces the report with r.ID, body included.
	SaveReport(ctx context.Context, r Report) error
	// Report returns the report with its body, or ErrNotFound.
	Report(ctx context.Context, id string) (Report, error)
	// Reports returns up to limit reports without bodies, newest Created
	// first, then by id.
	Reports(ctx context.Context, limit int) ([]Report, error)
	// SetReportDelivery replaces a report's delivery status; an unknown id
	// is ErrNotFound.
	SetReportDelivery(ctx context.Context, id string, delivery json.RawMessage) error
	// SaveSnapshot stores (or replaces) the opaque snapshot of a run.
	SaveSnapshot(ctx context.Context, run string, data []byte) error
	// Snapshot returns a run's snapshot, or ErrNotFound.
	Snapshot(ctx context.Context, run string) ([]byte, error)
	// DeleteSnapshot removes a run's snapshot (retention); a run without
	// one is not an error.
	DeleteSnapshot(ctx context.Context, run string) error
}

// Watchlist is a set of enterprise keys (and person pids, as "person:<pid>")
// an inspector follows: reports list every change on them.
type Watchlist struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Owner is the API key id that created it.
	Owner   string    `json:"owner,omitempty"`
	Keys    []string  `json:"keys"`
	Created time.Time `json:"created"`
}

// WatchlistStore keeps watch-lists; part of Store.
type WatchlistStore interface {
	// SaveWatchlist inserts or replaces the watch-list with w.ID.
	SaveWatchlist(ctx context.Context, w Watchlist) error
	// Watchlist returns one watch-list, or ErrNotFound.
	Watchlist(ctx context.Context, id string) (Watchlist, error)
	// Watchlists returns every watch-list, oldest first, then by id.
	Watchlists(ctx context.Context) ([]Watchlist, error)
	// DeleteWatchlist deletes a watch-list; an unknown id is ErrNotFound.
	DeleteWatchlist(ctx context.Context, id string) error
}

// SortReports orders reports newest Created first, then by id.
func SortReports(rs []Report) {
	slices.SortFunc(rs, func(a, b Report) int {
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// SortWatchlists orders watch-lists oldest first, then by id.
func SortWatchlists(ws []Watchlist) {
	slices.SortFunc(ws, func(a, b Watchlist) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}
