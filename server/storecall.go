package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"riskgraph/match"
	"riskgraph/metrics"
	"riskgraph/models"
	"riskgraph/store"
)

// timedStore bounds every store call with a timeout and records its latency.
// The handlers only ever see the store through it.
type timedStore struct {
	s       store.Store
	timeout time.Duration
	// slow bounds calls that move much data (WriteBatch, Scan, results).
	slow time.Duration
	m    *metrics.Metrics
	// live, when set, is the match index: every batch written through
	// the wrapper is applied to it once acknowledged (match.Live.Write).
	live *match.Live
}

var _ store.Store = (*timedStore)(nil)

func (t *timedStore) do(ctx context.Context, op string, timeout time.Duration, fn func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	err := fn(ctx)
	outcome := "ok"
	switch {
	case err == nil, errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrInvalid), errors.Is(err, store.ErrTooLarge),
		errors.Is(err, store.ErrConflict):
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil:
		outcome = "timeout"
		err = fmt.Errorf("%w: %s took longer than %v: %w", store.ErrUnavailable, op, timeout, err)
	default:
		outcome = "error"
	}
	t.m.Store.WithLabelValues(op, outcome).Observe(time.Since(start).Seconds())
	return err
}

func (t *timedStore) WriteBatch(ctx context.Context, b *store.Batch) error {
	return t.do(ctx, "write_batch", t.slow, func(ctx context.Context) error {
		if t.live != nil {
			return t.live.Write(ctx, t.s, b)
		}
		return t.s.WriteBatch(ctx, b)
	})
}

func (t *timedStore) Enterprise(ctx context.Context, key string) (e models.Enterprise, err error) {
	err = t.do(ctx, "enterprise", t.timeout, func(ctx context.Context) error { e, err = t.s.Enterprise(ctx, key); return err })
	return e, err
}

func (t *timedStore) Person(ctx context.Context, pid string) (p models.Person, err error) {
	err = t.do(ctx, "person", t.timeout, func(ctx context.Context) error { p, err = t.s.Person(ctx, pid); return err })
	return p, err
}

func (t *timedStore) Records(ctx context.Context, subject models.Ref) (rs []models.Record, err error) {
	err = t.do(ctx, "records", t.timeout, func(ctx context.Context) error { rs, err = t.s.Records(ctx, subject); return err })
	return rs, err
}

func (t *timedStore) RecordsOf(ctx context.Context, subjects []models.Ref) (m map[models.Ref][]models.Record, err error) {
	err = t.do(ctx, "records", t.timeout, func(ctx context.Context) error { m, err = t.s.RecordsOf(ctx, subjects); return err })
	return m, err
}

func (t *timedStore) Expand(ctx context.Context, nodes []models.Ref, types []models.RelType) (es []store.Edge, ns map[models.Ref]store.Node, err error) {
	err = t.do(ctx, "expand", t.timeout, func(ctx context.Context) error { es, ns, err = t.s.Expand(ctx, nodes, types); return err })
	return es, ns, err
}

func (t *timedStore) Neighbourhood(ctx context.Context, root models.Ref, depth int, types []models.RelType, limit int) (g store.Graph, err error) {
	err = t.do(ctx, "neighbourhood", t.timeout, func(ctx context.Context) error {
		g, err = t.s.Neighbourhood(ctx, root, depth, types, limit)
		return err
	})
	return g, err
}

func (t *timedStore) Upward(ctx context.Context, keys []string) (es []store.Edge, ns map[models.Ref]store.Node, err error) {
	err = t.do(ctx, "upward", t.timeout, func(ctx context.Context) error { es, ns, err = t.s.Upward(ctx, keys); return err })
	return es, ns, err
}

func (t *timedStore) Search(ctx context.Context, q string, limit int) (hs []store.Hit, err error) {
	err = t.do(ctx, "search", t.timeout, func(ctx context.Context) error { hs, err = t.s.Search(ctx, q, limit); return err })
	return hs, err
}

func (t *timedStore) Scan(ctx context.Context, pageSize int, fn func(*store.Batch) error) error {
	return t.do(ctx, "scan", t.slow, func(ctx context.Context) error { return t.s.Scan(ctx, pageSize, fn) })
}

// ScanProjection forwards the store's projection scan, so that scoring
// through the server keeps the engine's fast path.
func (t *timedStore) ScanProjection(ctx context.Context, pageSize int, fn func(*store.ProjectionPage) error) error {
	return t.do(ctx, "scan", t.slow, func(ctx context.Context) error { return t.s.ScanProjection(ctx, pageSize, fn) })
}

// Lineage and Changes forward the store's change feed (the engine's
// projection snapshot catches up through it).
func (t *timedStore) Lineage(ctx context.Context) (string, error) {
	var l string
	err := t.do(ctx, "lineage", t.timeout, func(ctx context.Context) (err error) { l, err = t.s.Lineage(ctx); return err })
	return l, err
}

func (t *timedStore) Changes(ctx context.Context, since uint64, limit int) (*store.Batch, error) {
	var b *store.Batch
	err := t.do(ctx, "changes", t.slow, func(ctx context.Context) (err error) { b, err = t.s.Changes(ctx, since, limit); return err })
	return b, err
}

func (t *timedStore) WriteResults(ctx context.Context, rs []models.RiskResult) error {
	return t.do(ctx, "write_results", t.slow, func(ctx context.Context) error { return t.s.WriteResults(ctx, rs) })
}

func (t *timedStore) PromoteRun(ctx context.Context, id string) error {
	return t.do(ctx, "promote_run", t.slow, func(ctx context.Context) error { return t.s.PromoteRun(ctx, id) })
}

func (t *timedStore) SaveRun(ctx context.Context, r store.Run) error {
	return t.do(ctx, "save_run", t.timeout, func(ctx context.Context) error { return t.s.SaveRun(ctx, r) })
}

func (t *timedStore) Run(ctx context.Context, id string) (r store.Run, err error) {
	err = t.do(ctx, "run", t.timeout, func(ctx context.Context) error { r, err = t.s.Run(ctx, id); return err })
	return r, err
}

func (t *timedStore) Runs(ctx context.Context, limit int) (rs []store.Run, err error) {
	err = t.do(ctx, "runs", t.timeout, func(ctx context.Context) error { rs, err = t.s.Runs(ctx, limit); return err })
	return rs, err
}

func (t *timedStore) Generation(ctx context.Context) (g uint64, err error) {
	err = t.do(ctx, "generation", t.timeout, func(ctx context.Context) error { g, err = t.s.Generation(ctx); return err })
	return g, err
}

func (t *timedStore) SettledGeneration(ctx context.Context) (g uint64, err error) {
	err = t.do(ctx, "generation", t.timeout, func(ctx context.Context) error { g, err = t.s.SettledGeneration(ctx); return err })
	return g, err
}

func (t *timedStore) Ping(ctx context.Context) error {
	return t.do(ctx, "ping", t.timeout, t.s.Ping)
}

// Close does nothing: the store belongs to the caller of New.
func (t *timedStore) Close() error { return nil }

func (t *timedStore) SaveKey(ctx context.Context, k store.APIKey) error {
	return t.do(ctx, "save_key", t.timeout, func(ctx context.Context) error { return t.s.SaveKey(ctx, k) })
}

func (t *timedStore) KeyByHash(ctx context.Context, hash string) (k store.APIKey, err error) {
	err = t.do(ctx, "key_by_hash", t.timeout, func(ctx context.Context) error { k, err = t.s.KeyByHash(ctx, hash); return err })
	return k, err
}

func (t *timedStore) Keys(ctx context.Context) (out []store.APIKey, err error) {
	err = t.do(ctx, "keys", t.timeout, func(ctx context.Context) error { out, err = t.s.Keys(ctx); return err })
	return out, err
}

func (t *timedStore) RevokeKey(ctx context.Context, id string, at time.Time) error {
	return t.do(ctx, "revoke_key", t.timeout, func(ctx context.Context) error { return t.s.RevokeKey(ctx, id, at) })
}

func (t *timedStore) AppendAudit(ctx context.Context, es []store.AuditEntry) error {
	return t.appendAuditWithin(ctx, t.slow, es)
}

// appendAuditWithin is AppendAudit bounded by timeout: the audit trail's
// one deadline per request (one context and timer, not two).
func (t *timedStore) appendAuditWithin(ctx context.Context, timeout time.Duration, es []store.AuditEntry) error {
	return t.do(ctx, "append_audit", timeout, func(ctx context.Context) error { return t.s.AppendAudit(ctx, es) })
}

func (t *timedStore) Audit(ctx context.Context, q store.AuditQuery) (out []store.AuditEntry, err error) {
	err = t.do(ctx, "audit", t.timeout, func(ctx context.Context) error { out, err = t.s.Audit(ctx, q); return err })
	return out, err
}

func (t *timedStore) SaveReport(ctx context.Context, r store.Report) error {
	return t.do(ctx, "save_report", t.slow, func(ctx context.Context) error { return t.s.SaveReport(ctx, r) })
}

func (t *timedStore) Report(ctx context.Context, id string) (r store.Report, err error) {
	err = t.do(ctx, "report", t.timeout, func(ctx context.Context) error { r, err = t.s.Report(ctx, id); return err })
	return r, err
}

func (t *timedStore) Reports(ctx context.Context, limit int) (out []store.Report, err error) {
	err = t.do(ctx, "reports", t.timeout, func(ctx context.Context) error { out, err = t.s.Reports(ctx, limit); return err })
	return out, err
}

func (t *timedStore) SetReportDelivery(ctx context.Context, id string, delivery json.RawMessage) error {
	return t.do(ctx, "set_report_delivery", t.timeout, func(ctx context.Context) error { return t.s.SetReportDelivery(ctx, id, delivery) })
}

func (t *timedStore) SaveSnapshot(ctx context.Context, run string, data []byte) error {
	return t.do(ctx, "save_snapshot", t.slow, func(ctx context.Context) error { return t.s.SaveSnapshot(ctx, run, data) })
}

func (t *timedStore) Snapshot(ctx context.Context, run string) (data []byte, err error) {
	err = t.do(ctx, "snapshot", t.slow, func(ctx context.Context) error { data, err = t.s.Snapshot(ctx, run); return err })
	return data, err
}

func (t *timedStore) DeleteSnapshot(ctx context.Context, run string) error {
	return t.do(ctx, "delete_snapshot", t.timeout, func(ctx context.Context) error { return t.s.DeleteSnapshot(ctx, run) })
}

func (t *timedStore) SaveWatchlist(ctx context.Context, w store.Watchlist) error {
	return t.do(ctx, "save_watchlist", t.timeout, func(ctx context.Context) error { return t.s.SaveWatchlist(ctx, w) })
}

func (t *timedStore) Watchlist(ctx context.Context, id string) (w store.Watchlist, err error) {
	err = t.do(ctx, "watchlist", t.timeout, func(ctx context.Context) error { w, err = t.s.Watchlist(ctx, id); return err })
	return w, err
}

func (t *timedStore) Watchlists(ctx context.Context) (out []store.Watchlist, err error) {
	err = t.do(ctx, "watchlists", t.timeout, func(ctx context.Context) error { out, err = t.s.Watchlists(ctx); return err })
	return out, err
}

func (t *timedStore) DeleteWatchlist(ctx context.Context, id string) error {
	return t.do(ctx, "delete_watchlist", t.timeout, func(ctx context.Context) error { return t.s.DeleteWatchlist(ctx, id) })
}
