package server

import (
	"context"
	"errors"
	"fmt"
	"time"

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
}

var (
	_ store.Store             = (*timedStore)(nil)
	_ store.KeyStore          = (*timedStore)(nil)
	_ store.AuditLog          = (*timedStore)(nil)
	_ store.ProjectionScanner = (*timedStore)(nil)
)

// errNoAccessStore: the backend keeps no API keys or audit log.
var errNoAccessStore = fmt.Errorf("%w: this store keeps no API keys or audit log", store.ErrUnavailable)

func (t *timedStore) do(ctx context.Context, op string, timeout time.Duration, fn func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	err := fn(ctx)
	outcome := "ok"
	switch {
	case err == nil, errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrInvalid), errors.Is(err, store.ErrTooLarge):
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
	return t.do(ctx, "write_batch", t.slow, func(ctx context.Context) error { return t.s.WriteBatch(ctx, b) })
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

func (t *timedStore) Expand(ctx context.Context, nodes []models.Ref, types []models.RelType) (es []store.Edge, ns map[models.Ref]store.Node, err error) {
	err = t.do(ctx, "expand", t.timeout, func(ctx context.Context) error { es, ns, err = t.s.Expand(ctx, nodes, types); return err })
	return es, ns, err
}

func (t *timedStore) Search(ctx context.Context, q string, limit int) (hs []store.Hit, err error) {
	err = t.do(ctx, "search", t.timeout, func(ctx context.Context) error { hs, err = t.s.Search(ctx, q, limit); return err })
	return hs, err
}

func (t *timedStore) Scan(ctx context.Context, pageSize int, fn func(*store.Batch) error) error {
	return t.do(ctx, "scan", t.slow, func(ctx context.Context) error { return t.s.Scan(ctx, pageSize, fn) })
}

// ScanProjection forwards the store's projection scan (or its Scan), so
// that scoring through the server keeps the engine's fast path.
func (t *timedStore) ScanProjection(ctx context.Context, pageSize int, fn func(*store.ProjectionPage) error) error {
	return t.do(ctx, "scan", t.slow, func(ctx context.Context) error { return store.ScanForProjection(ctx, t.s, pageSize, fn) })
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

func (t *timedStore) Ping(ctx context.Context) error {
	return t.do(ctx, "ping", t.timeout, t.s.Ping)
}

// Close does nothing: the store belongs to the caller of New.
func (t *timedStore) Close() error { return nil }

func (t *timedStore) SaveKey(ctx context.Context, k store.APIKey) error {
	ks, ok := t.s.(store.KeyStore)
	if !ok {
		return errNoAccessStore
	}
	return t.do(ctx, "save_key", t.timeout, func(ctx context.Context) error { return ks.SaveKey(ctx, k) })
}

func (t *timedStore) KeyByHash(ctx context.Context, hash string) (k store.APIKey, err error) {
	ks, ok := t.s.(store.KeyStore)
	if !ok {
		return k, errNoAccessStore
	}
	err = t.do(ctx, "key_by_hash", t.timeout, func(ctx context.Context) error { k, err = ks.KeyByHash(ctx, hash); return err })
	return k, err
}

func (t *timedStore) Keys(ctx context.Context) (out []store.APIKey, err error) {
	ks, ok := t.s.(store.KeyStore)
	if !ok {
		return nil, errNoAccessStore
	}
	err = t.do(ctx, "keys", t.timeout, func(ctx context.Context) error { out, err = ks.Keys(ctx); return err })
	return out, err
}

func (t *timedStore) RevokeKey(ctx context.Context, id string, at time.Time) error {
	ks, ok := t.s.(store.KeyStore)
	if !ok {
		return errNoAccessStore
	}
	return t.do(ctx, "revoke_key", t.timeout, func(ctx context.Context) error { return ks.RevokeKey(ctx, id, at) })
}

func (t *timedStore) AppendAudit(ctx context.Context, es []store.AuditEntry) error {
	al, ok := t.s.(store.AuditLog)
	if !ok {
		return errNoAccessStore
	}
	return t.do(ctx, "append_audit", t.slow, func(ctx context.Context) error { return al.AppendAudit(ctx, es) })
}

func (t *timedStore) Audit(ctx context.Context, q store.AuditQuery) (out []store.AuditEntry, err error) {
	al, ok := t.s.(store.AuditLog)
	if !ok {
		return nil, errNoAccessStore
	}
	err = t.do(ctx, "audit", t.timeout, func(ctx context.Context) error { out, err = al.Audit(ctx, q); return err })
	return out, err
}
