package server

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/rs/zerolog"

	"riskgraph/metrics"
	"riskgraph/store"
)

// auditWriter stores audit entries in batches off the request path: a
// request queues its entries, a goroutine writes them every interval (or
// every 1 000). A full queue (the store far behind) drops entries and
// counts them in riskgraph_audit_entries_dropped_total rather than
// stalling the API; a failed write is retried three times before dropping.
type auditWriter struct {
	log      store.AuditLog
	m        *metrics.Metrics
	logger   zerolog.Logger
	interval time.Duration
	ch       chan store.AuditEntry
	flushReq chan chan struct{}
	stop     chan struct{}
	done     chan struct{}
	once     sync.Once
}

const auditQueue = 100_000

func newAuditWriter(l store.AuditLog, m *metrics.Metrics, logger zerolog.Logger, interval time.Duration) *auditWriter {
	w := &auditWriter{log: l, m: m, logger: logger, interval: interval,
		ch: make(chan store.AuditEntry, auditQueue), flushReq: make(chan chan struct{}),
		stop: make(chan struct{}), done: make(chan struct{})}
	go w.run()
	return w
}

func (w *auditWriter) add(e store.AuditEntry) {
	select {
	case w.ch <- e:
	default:
		w.m.AuditDropped.Inc()
		w.logger.Error().Str("route", e.Route).Msg("audit queue full: entry dropped")
	}
}

func (w *auditWriter) run() {
	defer close(w.done)
	t := time.NewTicker(w.interval)
	defer t.Stop()
	var batch []store.AuditEntry
	drain := func() {
		for {
			select {
			case e := <-w.ch:
				batch = append(batch, e)
				if len(batch) >= 1000 {
					w.write(batch)
					batch = batch[:0]
				}
			default:
				w.write(batch)
				batch = batch[:0]
				return
			}
		}
	}
	for {
		select {
		case <-t.C:
			drain()
		case ack := <-w.flushReq:
			drain()
			close(ack)
		case <-w.stop:
			drain()
			return
		}
	}
}

func (w *auditWriter) write(batch []store.AuditEntry) {
	if len(batch) == 0 {
		return
	}
	var err error
	for attempt := range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = w.log.AppendAudit(ctx, batch)
		cancel()
		if err == nil {
			w.m.AuditWritten.Add(float64(len(batch)))
			return
		}
		time.Sleep(time.Duration(attempt+1) * 100 * time.Millisecond)
	}
	w.m.AuditDropped.Add(float64(len(batch)))
	w.logger.Error().Err(err).Int("entries", len(batch)).Msg("audit entries could not be stored and were dropped")
}

// flush writes everything queued so far.
func (w *auditWriter) flush() {
	ack := make(chan struct{})
	select {
	case w.flushReq <- ack:
		<-ack
	case <-w.done:
	}
}

// close writes what is queued and stops.
func (w *auditWriter) close() {
	w.once.Do(func() { close(w.stop) })
	<-w.done
}

// Audit query bounds.
const (
	defaultAuditLimit = 100
	maxAuditLimit     = 1000
)

// audit answers GET /api/v1/audit: entries newest first, filtered by
// key_id, entity, route, since and until (RFC 3339), paged by the cursor
// in next (pass it back as before).
func (a *API) auditQuery(c echo.Context) error {
	limit, err := intParam(c, "limit", defaultAuditLimit, 1, maxAuditLimit)
	if err != nil {
		return err
	}
	q := store.AuditQuery{KeyID: c.QueryParam("key_id"), Route: c.QueryParam("route"), Before: c.QueryParam("before"), Limit: limit}
	if raw := c.QueryParam("entity"); raw != "" {
		ref, err := parseRef(raw)
		if err != nil {
			return err
		}
		q.Entity = ref.String()
	}
	for name, dst := range map[string]*time.Time{"since": &q.Since, "until": &q.Until} {
		if s := c.QueryParam(name); s != "" {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return badRequest("%s=%q: use an RFC 3339 time such as 2026-11-28T08:00:00+08:00", name, s)
			}
			*dst = t
		}
	}
	if len(q.Before) > 64 || strings.Trim(q.Before, "0123456789abcdef") != "" {
		return badRequest("before=%q: pass back the next cursor of the previous page", q.Before)
	}
	a.audit.flush()
	entries, err := a.store.Audit(c.Request().Context(), q)
	if err != nil {
		return err
	}
	next := ""
	if len(entries) == limit {
		next = entries[len(entries)-1].ID
	}
	return c.JSON(http.StatusOK, map[string]any{"entries": nonNil(entries), "next": next})
}
