package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"riskgraph/models"
	"riskgraph/store"
)

// Duplicates inside the graph (docs/matching.md "Duplicates"): POST /xref
// starts an xref run in the background (like POST /runs), GET
// /xref/runs/{id} polls it, GET /xref/pairs lists the pairs it wrote and
// POST /xref/pairs/{id} records an inspector's decision. A confirmed pair
// is a SAME_AS link (docs/risk-model.md).

// XrefTrigger starts xref runs in the background and returns the run's id;
// the run records itself (store.XrefStore.SaveXrefRun). Runs go one at a
// time: while one is in progress StartXref returns its id and an error
// wrapping ErrXrefInProgress (409 to the client).
type XrefTrigger interface {
	StartXref(ctx context.Context, opts XrefOptions) (id string, err error)
}

// XrefOptions are the tunable parts of an xref run; zero values take the
// defaults of match.DupeOptions.
type XrefOptions struct {
	Threshold float64 `json:"threshold,omitempty"`
	MaxBlock  int     `json:"max_block,omitempty"`
}

// ErrXrefInProgress: an xref run is already running.
var ErrXrefInProgress = errors.New("an xref run is in progress")

const xrefBody = `{"threshold": 0.9, "max_block": 64} (both optional; an empty body takes the defaults)`

const xrefDecisionBody = `{"decision": "confirm" | "reject" | "undo"}`

// xrefDecisionRequest is the body of POST /xref/pairs/{id}.
type xrefDecisionRequest struct {
	// Decision: confirm (a SAME_AS link), reject, or undo the last decision.
	Decision string `json:"decision" jsonschema:"required,enum=confirm,enum=reject,enum=undo"`
}

// xrefStarted is POST /xref.
type xrefStarted struct {
	Run    string `json:"run"`
	Status string `json:"status"`
	Detail string `json:"detail"`
}

// xrefPairsView is GET /xref/pairs: a page of pairs and, when more follow,
// the cursor of the next page.
type xrefPairsView struct {
	Pairs []store.XrefPair `json:"pairs"`
	Next  string           `json:"next,omitempty"`
}

// startXref starts an xref run (admin).
func (a *API) startXref(c echo.Context) error {
	if a.opts.Xref == nil {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "this server cannot start xref runs; run riskgraph xref")
	}
	var opts XrefOptions
	if c.Request().ContentLength != 0 {
		if err := decodeStrict(c, &opts, xrefBody); err != nil {
			return err
		}
	}
	if opts.Threshold < 0 || opts.Threshold > 1 {
		return badRequest("threshold: want a score in (0, 1] (got %v); 0 or absent takes the default", opts.Threshold)
	}
	if opts.MaxBlock < 0 || opts.MaxBlock == 1 || opts.MaxBlock > 1000 {
		return badRequest("max_block: want 2 to 1000 enterprises (got %d); 0 or absent takes the default", opts.MaxBlock)
	}
	id, err := a.opts.Xref.StartXref(c.Request().Context(), opts)
	if errors.Is(err, ErrXrefInProgress) {
		return echo.NewHTTPError(http.StatusConflict,
			fmt.Sprintf("xref run %s is in progress; start another once it has finished (GET /api/v1/xref/runs/%s)", id, id))
	}
	if err != nil {
		return err
	}
	return a.reply(c, http.StatusAccepted, xrefStarted{Run: id, Status: store.RunRunning, Detail: "/api/v1/xref/runs/" + id})
}

// xrefRun answers one xref run.
func (a *API) xrefRun(c echo.Context) error {
	id := c.Param("id")
	if len(id) > 128 {
		return badRequest("xref run id is %d characters long; use at most 128", len(id))
	}
	r, err := a.store.XrefRun(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return a.reply(c, http.StatusOK, r)
}

// xrefPairs lists pairs, best score first, by status, paged by cursor.
func (a *API) xrefPairs(c echo.Context) error {
	limit, err := a.intQuery(c, "limit")
	if err != nil {
		return err
	}
	q := store.XrefQuery{Status: c.QueryParam("status"), Limit: limit + 1}
	if q.Status != "" && !isXrefStatus(q.Status) {
		return badRequest("status: %q is not one of %s", q.Status, strings.Join(store.XrefStatuses, ", "))
	}
	if cur := c.QueryParam("cursor"); cur != "" {
		if q.AfterScore, q.AfterID, err = parseXrefCursor(cur); err != nil {
			return err
		}
	}
	ps, err := a.store.XrefPairs(c.Request().Context(), q)
	if err != nil {
		return err
	}
	view := xrefPairsView{Pairs: ps}
	if len(ps) > limit {
		view.Pairs = ps[:limit]
		last := ps[limit-1]
		view.Next = strconv.FormatFloat(last.Score, 'f', -1, 64) + "/" + last.ID
	}
	return a.reply(c, http.StatusOK, view)
}

func isXrefStatus(s string) bool {
	for _, x := range store.XrefStatuses {
		if s == x {
			return true
		}
	}
	return false
}

// parseXrefCursor reads a cursor "score/id" (the next of a previous page).
func parseXrefCursor(cur string) (float64, string, error) {
	s, id, ok := strings.Cut(cur, "/")
	score, err := strconv.ParseFloat(s, 64)
	if !ok || err != nil || id == "" || len(id) > 64 {
		return 0, "", badRequest("cursor: %q is not a cursor; pass the next value of the previous page unchanged", cur)
	}
	return score, id, nil
}

// decideXrefPair records an inspector's decision on a pair.
func (a *API) decideXrefPair(c echo.Context) error {
	id := c.Param("id")
	if len(id) > 64 {
		return badRequest("pair id is %d characters long; use at most 64", len(id))
	}
	ctx := c.Request().Context()
	// The audit entry names both enterprises, also when the decision is refused.
	if cur, err := a.store.XrefPair(ctx, id); err == nil {
		c.Set(ctxEntities, []string{models.EnterpriseRef(cur.A).String(), models.EnterpriseRef(cur.B).String()})
	}
	var body xrefDecisionRequest
	if err := decodeStrict(c, &body, xrefDecisionBody); err != nil {
		return err
	}
	switch body.Decision {
	case store.DecideConfirm, store.DecideReject, store.DecideUndo:
	default:
		return badRequest("decision: %q; use confirm, reject or undo", body.Decision)
	}
	p, err := a.store.DecideXrefPair(ctx, id, store.XrefDecision{Decision: body.Decision, By: principalOf(c).KeyID, At: a.opts.Now()})
	if err != nil {
		return err
	}
	return a.reply(c, http.StatusOK, p)
}
