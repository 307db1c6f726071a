package server

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"riskgraph/models"
	"riskgraph/store"
)

// The match review queue (docs/ingest.md, "Matching at ingest"): rows the
// loader matched with a score between the review and the accept threshold
// wait here, held, until an inspector accepts one of the candidates — the
// rows are then written attached to it, in the same store transaction as
// the decision (the data generation advances, and the audit middleware
// invalidates cached answers like any write) — or rejects them all.
// `riskgraph ingest` beside a running server queues its entries through
// POST /match/review.

// reviewQueuePath is the route the forwarding CLI queues entries on; its
// body limit is BatchBodyLimit (an entry holds up to store.MaxReviewRows rows).
const reviewQueuePath = "/api/v1/match/review"

// maxQueueEntries bounds POST /match/review (its row's MaxItems).
const maxQueueEntries = 500

// reviewsView is GET /match/review's answer: entries oldest first, and the
// cursor of the next page ("" on the last).
type reviewsView struct {
	Entries []store.Review `json:"entries"`
	Next    string         `json:"next"`
}

// reviewDecided is POST /match/review/{id}'s answer: the entry as decided
// and the rows written (an accepted entry's rows, attached to its key).
type reviewDecided struct {
	Review  store.Review `json:"review"`
	Written int          `json:"written"`
}

// queuedView is POST /match/review's answer: each entry as stored.
type queuedView struct {
	Entries []store.Review `json:"entries"`
}

const decideBody = `{"decision": "accept", "key": "<key of one of the candidates>"} or {"decision": "reject"}`

// listReviews answers GET /match/review?status=&limit=&cursor=.
func (a *API) listReviews(c echo.Context) error {
	limit, err := a.intQuery(c, "limit")
	if err != nil {
		return err
	}
	f := store.ReviewFilter{Status: c.QueryParam("status"), Limit: limit}
	switch f.Status {
	case "", store.ReviewPending, store.ReviewAccepted, store.ReviewRejected:
	case "all":
		f.Status = ""
	default:
		return badRequest("status=%q: use pending (default), accepted, rejected or all", f.Status)
	}
	if _, given := c.QueryParams()["status"]; !given {
		f.Status = store.ReviewPending
	}
	if cur := c.QueryParam("cursor"); cur != "" {
		if f.AfterCreated, f.AfterID, err = parseReviewCursor(cur); err != nil {
			return err
		}
	}
	rs, err := a.store.Reviews(c.Request().Context(), f)
	if err != nil {
		return err
	}
	v := reviewsView{Entries: nonNil(rs)}
	if len(rs) == limit {
		last := rs[len(rs)-1]
		v.Next = strconv.FormatInt(last.Created.UnixNano(), 10) + "." + last.ID
	}
	c.Set(ctxEntities, []string{})
	return a.reply(c, http.StatusOK, v)
}

// parseReviewCursor reads a cursor made by listReviews: "<unix ns>.<id>".
func parseReviewCursor(cur string) (time.Time, string, error) {
	ns, id, ok := strings.Cut(cur, ".")
	n, err := strconv.ParseInt(ns, 10, 64)
	if !ok || err != nil || id == "" || len(id) > 128 {
		return time.Time{}, "", badRequest("cursor=%q: pass back the next value of the previous page", cur)
	}
	return time.Unix(0, n).UTC(), id, nil
}

// reviewDecision is the body of POST /match/review/{id}.
type reviewDecision struct {
	// Decision is accept (one candidate, named by key) or reject (them all).
	Decision string `json:"decision" jsonschema:"required,enum=accept,enum=reject"`
	// Key is the accepted candidate's enterprise key (accept only).
	Key string `json:"key"`
}

// reviewQueue is the body of POST /match/review.
type reviewQueue struct {
	// Entries are review entries as riskgraph ingest makes them, pending.
	Entries []store.Review `json:"entries" jsonschema:"required,minItems=1,maxItems=500"`
}

// decideReview answers POST /match/review/{id}: accept one candidate (the
// entry's rows are written attached to it) or reject them all. A decision
// is final: deciding again is 409.
func (a *API) decideReview(c echo.Context) error {
	var body reviewDecision
	if err := decodeStrict(c, &body, decideBody); err != nil {
		return err
	}
	ctx := c.Request().Context()
	id := c.Param("id")
	cur, err := a.store.Review(ctx, id)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return echo.NewHTTPError(http.StatusNotFound, fmt.Sprintf("review %q: no such entry; list them with GET /api/v1/match/review", id))
		}
		return err
	}
	ents := []string{}
	for _, cd := range cur.Candidates {
		ents = append(ents, models.EnterpriseRef(cd.Key).String())
	}
	c.Set(ctxEntities, ents)
	if cur.Status != store.ReviewPending {
		return decidedConflict(cur)
	}
	d := store.ReviewDecision{By: principalOf(c).KeyID, At: a.opts.Now().UTC()}
	var batch *store.Batch
	switch strings.ToLower(strings.TrimSpace(body.Decision)) {
	case "accept":
		cand, err := a.chosenCandidate(c, cur, body.Key)
		if err != nil {
			return err
		}
		d.Status, d.Key = store.ReviewAccepted, cand.Key
		b := cur.Attached(cand.Key, cand.Score)
		batch = &b
		c.Set(ctxEntities, []string{models.EnterpriseRef(cand.Key).String()})
	case "reject":
		if body.Key != "" {
			return badRequest(`key: a rejection names no key; send {"decision": "reject"}, or accept with the key`)
		}
		d.Status = store.ReviewRejected
	default:
		return badRequest("decision %q: give %s", body.Decision, decideBody)
	}
	got, err := a.store.DecideReview(ctx, id, d, batch)
	switch {
	case errors.Is(err, store.ErrDecided):
		return decidedConflict(got)
	case err != nil:
		return err
	}
	v := reviewDecided{Review: got}
	if batch != nil {
		v.Written = batch.Len()
	}
	return a.reply(c, http.StatusOK, v)
}

// chosenCandidate checks the key an inspector accepted: one of the
// entry's candidates, and a stored enterprise.
func (a *API) chosenCandidate(c echo.Context, r store.Review, raw string) (store.ReviewCandidate, error) {
	var keys []string
	for _, cd := range r.Candidates {
		keys = append(keys, cd.Key+" ("+cd.Name+")")
	}
	options := strings.Join(keys, ", ")
	if strings.TrimSpace(raw) == "" {
		return store.ReviewCandidate{}, badRequest("key: give the key of the candidate to attach the rows to: one of %s; or reject", options)
	}
	key, err := enterpriseKey(raw)
	if err != nil {
		return store.ReviewCandidate{}, badRequest("key %q: not an enterprise key; give one of the candidates: %s", raw, options)
	}
	cand, ok := r.Candidate(key)
	if !ok {
		return store.ReviewCandidate{}, echo.NewHTTPError(http.StatusUnprocessableEntity,
			fmt.Sprintf("key %s is not among the candidates of review %s; give one of %s, or reject the entry and load the rows again with the enterprise's USCC", key, r.ID, options))
	}
	e, err := a.store.Enterprise(c.Request().Context(), key)
	switch {
	case errors.Is(err, store.ErrNotFound) || err == nil && e.Placeholder:
		return store.ReviewCandidate{}, echo.NewHTTPError(http.StatusUnprocessableEntity,
			fmt.Sprintf("key %s is no longer a stored enterprise with a registration row; load its enterprises row first, or choose another candidate (%s)", key, options))
	case err != nil:
		return store.ReviewCandidate{}, err
	}
	return cand, nil
}

// decidedConflict is the 409 of an entry decided before.
func decidedConflict(r store.Review) error {
	what := r.Status
	if r.Status == store.ReviewAccepted {
		what += " for " + r.Key
	}
	when := ""
	if r.Decided != nil {
		when = " on " + r.Decided.Format(time.RFC3339)
	}
	by := ""
	if r.DecidedBy != "" {
		by = " by " + r.DecidedBy
	}
	return echo.NewHTTPError(http.StatusConflict, fmt.Sprintf("review %s was %s%s%s; a decision is final", r.ID, what, by, when))
}

// queueReviews answers POST /match/review (writer): `riskgraph ingest`
// beside this server queues its review entries here, as a local load puts
// them into the store (store.ReviewStore.QueueReviews).
func (a *API) queueReviews(c echo.Context) error {
	var body reviewQueue
	if err := decodeStrict(c, &body, `{"entries": [review entries as riskgraph ingest makes them]}`); err != nil {
		return err
	}
	if n := a.maxItems(c); len(body.Entries) == 0 || len(body.Entries) > n {
		return badRequest("entries: give 1 to %d entries (got %d)", n, len(body.Entries))
	}
	for i, r := range body.Entries {
		if r.Status != store.ReviewPending || r.Key != "" || r.DecidedBy != "" || r.Decided != nil {
			return badRequest("entries[%d]: an entry is queued pending, without a decision", i)
		}
	}
	got, err := a.store.QueueReviews(c.Request().Context(), body.Entries)
	if err != nil {
		return err
	}
	c.Set(ctxEntities, []string{})
	return a.reply(c, http.StatusOK, queuedView{Entries: got})
}
