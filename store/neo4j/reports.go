package neo4j

import (
	"context"
	"encoding/json"
	"fmt"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"riskgraph/store"
)

var (
	_ store.ReportStore    = (*Store)(nil)
	_ store.WatchlistStore = (*Store)(nil)
)

// Statements for reports (:Report), blobs (:BlobChunk: report bodies and
// run snapshots, in chunks) and watch-lists (:Watchlist).
const (
	qSchemaReportID    = "schema_report_id"
	qSchemaWatchlistID = "schema_watchlist_id"
	qSchemaBlobKey     = "schema_blob_key"
	qReportSave        = "report_save"
	qReportGet         = "report_get"
	qReportsList       = "reports_list"
	qReportDelivery    = "report_delivery"
	qBlobDelete        = "blob_delete"
	qBlobPut           = "blob_put"
	qBlobGet           = "blob_get"
	qWatchlistSave     = "watchlist_save"
	qWatchlistGet      = "watchlist_get"
	qWatchlistsList    = "watchlists_list"
	qWatchlistDelete   = "watchlist_delete"
)

// blobChunk is the size of one BlobChunk's data; blobRowsPerStatement
// bounds the bytes one statement sends.
const (
	blobChunk            = 1 << 20
	blobRowsPerStatement = 8
)

func reportBlob(id string) string    { return "report:" + id }
func snapshotBlob(run string) string { return "snapshot:" + run }

// putBlob replaces the blob under key inside tx.
func putBlob(ctx context.Context, tx driver.ManagedTransaction, key string, data []byte) error {
	if _, err := runIn(ctx, tx, qBlobDelete, map[string]any{"key": key}); err != nil {
		return err
	}
	var rows []any
	flush := func() error {
		if len(rows) == 0 {
			return nil
		}
		_, err := runIn(ctx, tx, qBlobPut, map[string]any{"key": key, "rows": rows})
		rows = rows[:0]
		return err
	}
	for seq, off := 0, 0; off < len(data); seq, off = seq+1, off+blobChunk {
		rows = append(rows, map[string]any{"seq": int64(seq), "data": data[off:min(off+blobChunk, len(data))]})
		if len(rows) == blobRowsPerStatement {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// getBlob reads the blob under key; found is false when it has no chunks.
func (s *Store) getBlob(ctx context.Context, op, key string) (data []byte, found bool, err error) {
	err = s.collect(ctx, op, qBlobGet, map[string]any{"key": key},
		func() { data, found = nil, false },
		func(rec *driver.Record) error {
			b, _ := rec.Values[0].([]byte)
			data, found = append(data, b...), true
			return nil
		})
	return data, found, err
}

// SaveReport stores the report's metadata and body in one transaction.
func (s *Store) SaveReport(ctx context.Context, r store.Report) error {
	if r.ID == "" || r.Run == "" {
		return fmt.Errorf("%w: a report needs an id and a run", store.ErrInvalid)
	}
	params := map[string]any{"id": r.ID, "created": r.Created.UTC(), "run": r.Run, "against": r.Against,
		"scope": optString(r.Scope), "summary": optJSON(r.Summary), "delivery": optJSON(r.Delivery)}
	return s.write(ctx, "save report", func(tx driver.ManagedTransaction) error {
		if _, err := runIn(ctx, tx, qReportSave, params); err != nil {
			return err
		}
		return putBlob(ctx, tx, reportBlob(r.ID), r.Body)
	})
}

// Report returns a report with its body.
func (s *Store) Report(ctx context.Context, id string) (store.Report, error) {
	rs, err := s.reports(ctx, qReportGet, map[string]any{"id": id})
	if err != nil {
		return store.Report{}, err
	}
	if len(rs) == 0 {
		return store.Report{}, fmt.Errorf("report %q: %w", id, store.ErrNotFound)
	}
	r := rs[0]
	if r.Body, _, err = s.getBlob(ctx, "read report body", reportBlob(id)); err != nil {
		return store.Report{}, err
	}
	return r, nil
}

// Reports lists reports without bodies, newest first.
func (s *Store) Reports(ctx context.Context, limit int) ([]store.Report, error) {
	if limit < 1 {
		return []store.Report{}, nil
	}
	return s.reports(ctx, qReportsList, map[string]any{"limit": int64(limit)})
}

func (s *Store) reports(ctx context.Context, name string, params map[string]any) ([]store.Report, error) {
	out := []store.Report{}
	err := s.collect(ctx, "read reports", name, params,
		func() { out = out[:0] },
		func(rec *driver.Record) error {
			p, _ := rec.Values[0].(map[string]any)
			r := store.Report{ID: str(p, "id"), Created: timeOf(p["created"]), Run: str(p, "run"),
				Against: str(p, "against"), Scope: str(p, "scope")}
			if v := str(p, "summary"); v != "" {
				r.Summary = json.RawMessage(v)
			}
			if v := str(p, "delivery"); v != "" {
				r.Delivery = json.RawMessage(v)
			}
			out = append(out, r)
			return nil
		})
	return out, err
}

// SetReportDelivery replaces a report's delivery status.
func (s *Store) SetReportDelivery(ctx context.Context, id string, delivery json.RawMessage) error {
	found, err := s.writeOne(ctx, "set report delivery", qReportDelivery, map[string]any{"id": id, "delivery": optJSON(delivery)})
	if err == nil && !found {
		return fmt.Errorf("report %q: %w", id, store.ErrNotFound)
	}
	return err
}

// SaveSnapshot replaces a run's snapshot.
func (s *Store) SaveSnapshot(ctx context.Context, run string, data []byte) error {
	if run == "" || len(data) == 0 {
		return fmt.Errorf("%w: a snapshot needs a run id and data", store.ErrInvalid)
	}
	return s.write(ctx, "save snapshot", func(tx driver.ManagedTransaction) error {
		return putBlob(ctx, tx, snapshotBlob(run), data)
	})
}

// Snapshot returns a run's snapshot.
func (s *Store) Snapshot(ctx context.Context, run string) ([]byte, error) {
	data, found, err := s.getBlob(ctx, "read snapshot", snapshotBlob(run))
	if err == nil && !found {
		return nil, fmt.Errorf("snapshot of run %q: %w", run, store.ErrNotFound)
	}
	return data, err
}

// DeleteSnapshot removes a run's snapshot.
func (s *Store) DeleteSnapshot(ctx context.Context, run string) error {
	_, err := s.writeOne(ctx, "delete snapshot", qBlobDelete, map[string]any{"key": snapshotBlob(run)})
	return err
}

// SaveWatchlist inserts or replaces a watch-list.
func (s *Store) SaveWatchlist(ctx context.Context, w store.Watchlist) error {
	if w.ID == "" {
		return fmt.Errorf("%w: a watch-list needs an id", store.ErrInvalid)
	}
	keys := w.Keys
	if keys == nil {
		keys = []string{}
	}
	params := map[string]any{"id": w.ID, "name": w.Name, "owner": optString(w.Owner), "keys": keys, "created": w.Created.UTC()}
	_, err := s.writeOne(ctx, "save watch-list", qWatchlistSave, params)
	return err
}

// Watchlist returns one watch-list.
func (s *Store) Watchlist(ctx context.Context, id string) (store.Watchlist, error) {
	ws, err := s.watchlists(ctx, qWatchlistGet, map[string]any{"id": id})
	if err != nil {
		return store.Watchlist{}, err
	}
	if len(ws) == 0 {
		return store.Watchlist{}, fmt.Errorf("watch-list %q: %w", id, store.ErrNotFound)
	}
	return ws[0], nil
}

// Watchlists lists every watch-list, oldest first.
func (s *Store) Watchlists(ctx context.Context) ([]store.Watchlist, error) {
	return s.watchlists(ctx, qWatchlistsList, nil)
}

func (s *Store) watchlists(ctx context.Context, name string, params map[string]any) ([]store.Watchlist, error) {
	out := []store.Watchlist{}
	err := s.collect(ctx, "read watch-lists", name, params,
		func() { out = out[:0] },
		func(rec *driver.Record) error {
			p, _ := rec.Values[0].(map[string]any)
			w := store.Watchlist{ID: str(p, "id"), Name: str(p, "name"), Owner: str(p, "owner"), Created: timeOf(p["created"]), Keys: []string{}}
			if ks, ok := p["keys"].([]any); ok {
				for _, k := range ks {
					if s, ok := k.(string); ok {
						w.Keys = append(w.Keys, s)
					}
				}
			}
			out = append(out, w)
			return nil
		})
	return out, err
}

// DeleteWatchlist deletes a watch-list.
func (s *Store) DeleteWatchlist(ctx context.Context, id string) error {
	found, err := s.writeOne(ctx, "delete watch-list", qWatchlistDelete, map[string]any{"id": id})
	if err == nil && !found {
		return fmt.Errorf("watch-list %q: %w", id, store.ErrNotFound)
	}
	return err
}
