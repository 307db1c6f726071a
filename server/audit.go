package server

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"riskgraph/auth"
	"riskgraph/store"
)

// Every authenticated /api/v1 request that reaches the router is audited
// before its answer leaves: auditTrail wraps the response writer, and the
// first WriteHeader (when the status is known) appends the request's one
// entry to the audit log and waits until it is durable (the log's group
// commit shares one fsync among the requests waiting). When the entry
// cannot be stored within Options.AuditTimeout — the log's queue is full,
// its disk fails — the client gets 503 instead of the handler's answer:
// the API fails closed and answers nothing it has not recorded. Requests
// refused before a key is known (401) are not audited.

// auditTrail records the request: key, role, route, the entities it named,
// a search's query, the status.
func (a *API) auditTrail(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		p := principalOf(c)
		if p.KeyID == "" {
			return next(c)
		}
		res := c.Response()
		w := &auditedWriter{ResponseWriter: res.Writer, res: res,
			commit: func(status int) error {
				if err := a.recordAudit(c, p, status); err != nil {
					return err
				}
				if c.Request().Method != http.MethodGet && status < 300 {
					// A write: the other replicas drop their data version
					// before the client has the answer (replicas.go).
					a.announce(c.Request().Context(), invalidData)
				}
				return nil
			}}
		res.Writer = w
		if err := next(c); err != nil {
			c.Error(err)
		}
		if !w.decided && !res.Committed {
			res.WriteHeader(http.StatusOK) // nothing written: net/http would send an empty 200
		}
		if c.Request().Method != http.MethodGet && w.status < 300 && !w.failed {
			a.versions.invalidate() // a write through this API: new version at once
		}
		return nil
	}
}

// recordAudit appends the request's entry and waits until it is durable.
func (a *API) recordAudit(c echo.Context, p principal, status int) error {
	now := a.opts.Now().UTC()
	e := store.AuditEntry{ID: store.NewAuditID(now), Time: now, KeyID: p.KeyID, Role: string(p.Role),
		Method: c.Request().Method, Route: strings.ReplaceAll(c.Path(), `\:`, ":"), Entities: a.auditEntities(c), Query: auditQueryText(c, p), Status: status}
	// The client going away does not cancel the record of what it asked.
	err := a.store.appendAuditWithin(context.WithoutCancel(c.Request().Context()), a.opts.AuditTimeout, []store.AuditEntry{e})
	if err != nil {
		a.m.AuditFailed.Inc()
		// One line per second at most: a failing log must not flood the logs.
		if sec := time.Now().Unix(); a.auditLogged.Swap(sec) != sec {
			a.log.Error().Err(err).Str("route", e.Route).Msg("audit log cannot record requests: answering 503 (fail closed)")
		}
		return err
	}
	a.m.AuditWritten.Inc()
	return nil
}

// auditedWriter commits the audit entry at the first WriteHeader and
// answers 503 instead when that fails.
type auditedWriter struct {
	http.ResponseWriter
	res     *echo.Response
	commit  func(status int) error
	decided bool // WriteHeader was called
	failed  bool // the entry could not be stored: the handler's answer is discarded
	status  int
}

var auditFailedBody = problemJSON(http.StatusServiceUnavailable,
	"the audit log cannot record this request, so it is refused; try again shortly")

func (w *auditedWriter) WriteHeader(code int) {
	if w.decided {
		if !w.failed {
			w.ResponseWriter.WriteHeader(code)
		}
		return
	}
	w.decided, w.status = true, code
	if err := w.commit(code); err != nil {
		w.failed = true
		h := w.ResponseWriter.Header()
		clear(h)
		h.Set(echo.HeaderContentType, mimeProblem)
		h.Set("Retry-After", "1")
		w.ResponseWriter.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.ResponseWriter.Write(auditFailedBody)
		w.res.Status = http.StatusServiceUnavailable
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *auditedWriter) Write(b []byte) (int, error) {
	if !w.decided {
		w.WriteHeader(http.StatusOK)
	}
	if w.failed {
		return len(b), nil // discarded: the client has the 503
	}
	return w.ResponseWriter.Write(b)
}

func (w *auditedWriter) Flush() {
	if !w.decided {
		w.WriteHeader(http.StatusOK)
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok && !w.failed {
		f.Flush()
	}
}

func (w *auditedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// auditEntities names the entities a request looked up: those a handler
// set, else the key or pid in the path, else from and to. A value that is
// not a valid key or pid is never recorded as given (it may be an identity
// number typed in the wrong place): an invalid pid becomes the pid the
// server's key gives it as an identity number (so an investigator can ask
// who looked a number up), or "invalid" without a key; an invalid
// enterprise key becomes "invalid".
func (a *API) auditEntities(c echo.Context) []string {
	if v, ok := c.Get(ctxEntities).([]string); ok {
		return v
	}
	if k := c.Param("key"); k != "" {
		if key, err := enterpriseKey(k); err == nil {
			return []string{"enterprise:" + key}
		}
		return []string{"enterprise:invalid"}
	}
	if p := c.Param("pid"); p != "" {
		if pid, err := personPID(p); err == nil {
			return []string{"person:" + pid}
		}
		if a.opts.Hasher != nil {
			return []string{"person:" + a.opts.Hasher.FromIDNumber(p)}
		}
		return []string{"person:invalid"}
	}
	var out []string
	for _, name := range []string{"from", "to"} {
		if v := c.QueryParam(name); v != "" {
			if r, err := parseRef(v); err == nil {
				out = append(out, r.String())
			} else {
				out = append(out, "invalid")
			}
		}
	}
	return out
}

// idNumberLike matches an identity-document number (18 characters, the
// last a digit or X, or the old 15 digits) inside a search text.
var idNumberLike = regexp.MustCompile(`\d{17}[\dXx]|\d{15}`)

// auditQueryText is a search's query as the audit keeps it: at most 100
// characters, identity-number-shaped runs replaced, and masked like a
// person's name for a role whose answers mask names.
func auditQueryText(c echo.Context, p principal) string {
	q := strings.TrimSpace(c.QueryParam("q"))
	if q == "" {
		return ""
	}
	if r := []rune(q); len(r) > 100 {
		q = string(r[:100])
	}
	q = idNumberLike.ReplaceAllString(q, "[id-number]")
	if p.Role.Masked() {
		q = auth.MaskName(q)
	}
	return q
}

// audit answers GET /api/v1/audit: entries newest first, filtered by
// key_id, entity, route, since and until (RFC 3339), paged by the cursor
// in next (pass it back as before).
func (a *API) auditQuery(c echo.Context) error {
	limit, err := a.intQuery(c, "limit")
	if err != nil {
		return err
	}
	q := store.AuditQuery{KeyID: c.QueryParam("key_id"), Route: c.QueryParam("route"), Before: c.QueryParam("before"), Limit: limit}
	if raw := c.QueryParam("entity"); strings.HasPrefix(raw, "case:") {
		q.Entity = raw // a case file's entries (cases.go)
	} else if raw != "" {
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
	entries, err := a.store.Audit(c.Request().Context(), q)
	if err != nil {
		return err
	}
	next := ""
	if len(entries) == limit {
		next = entries[len(entries)-1].ID
	}
	return a.reply(c, http.StatusOK, auditView{Entries: nonNil(entries), Next: next})
}
