package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"riskgraph/credit"
	"riskgraph/models"
	"riskgraph/store"
)

// The credit file's life (docs/credit-checks.md): commitments, objections
// with their decisions, and repairs, each stored (store.CreditFileStore)
// and audited like every request; GET /records/{id} shows a record with
// its whole history, and profiles mark every record's state
// (record_life).

const (
	commitmentBody = `{"subject": "<USCC or src:key>" or {"name": "…", "id_number": "…"}, "scenario": "bidding", "text": "the commitment's words", "date": "YYYY-MM-DD", "valid_until": "YYYY-MM-DD"}`
	objectionBody  = `{"reason": "why the record is wrong", "attachments": ["references to the supporting documents", …]}`
	decisionBody   = `{"decision": "upheld" or "rejected", "outcome": "withdrawn" or "corrected" (upheld only), "severity": 0.3 (corrected only), "note": "…"}`
	repairBody     = `{"date": "YYYY-MM-DD" (from when the record stops counting; default today), "basis": "the repair's basis: what was done, which decision"}`
	// maxAttachments bounds an objection's attachment references.
	maxAttachments = 20
	maxTextLen     = 4000
)

type commitmentRequest struct {
	Subject    *subjectInput `json:"subject" jsonschema:"required"`
	Scenario   string        `json:"scenario"`
	Text       string        `json:"text"`
	Date       string        `json:"date"`
	ValidUntil string        `json:"valid_until"`
}

type objectionRequest struct {
	Reason      string   `json:"reason"`
	Attachments []string `json:"attachments"`
}

type decisionRequest struct {
	Decision string   `json:"decision"`
	Outcome  string   `json:"outcome"`
	Severity *float64 `json:"severity"`
	Note     string   `json:"note"`
}

type repairRequest struct {
	Date  string `json:"date"`
	Basis string `json:"basis"`
}

// commitmentsView is GET /enterprises/{key}/commitments.
type commitmentsView struct {
	Subject     models.Ref              `json:"subject"`
	AsOf        models.Date             `json:"as_of"`
	Commitments []credit.CommitmentView `json:"commitments"`
}

// recordView is GET /records/{id}: the record, its state today, and its
// whole history (objections with their decisions, the repair).
type recordView struct {
	Record     models.Record      `json:"record"`
	State      credit.RecordState `json:"state"`
	Objections []store.Objection  `json:"objections"`
	Repair     *store.Repair      `json:"repair"`
}

// newFileID returns an id with a prefix and 16 random hex digits.
func newFileID(prefix string) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// dateField reads a required or optional date field of a body.
func (a *API) dateField(name, raw string, def models.Date) (models.Date, error) {
	if raw == "" {
		if def.IsZero() {
			return def, badRequest("%s: missing; give a date YYYY-MM-DD", name)
		}
		return def, nil
	}
	d, err := models.ParseDate(raw)
	if err != nil {
		return d, badRequest("%s %q: want YYYY-MM-DD", name, clip(raw))
	}
	return d, nil
}

func textField(name, v string) error {
	switch {
	case strings.TrimSpace(v) == "":
		return badRequest("%s: missing", name)
	case len(v) > maxTextLen:
		return badRequest("%s: at most %d bytes (got %d)", name, maxTextLen, len(v))
	}
	return nil
}

// createCommitment answers POST /commitments.
func (a *API) createCommitment(c echo.Context) error {
	var req commitmentRequest
	if err := decodeStrict(c, &req, commitmentBody); err != nil {
		return err
	}
	if req.Subject == nil {
		return badRequest(`subject: missing; give an enterprise's USCC or key, or a person as {"name": "…", "id_number": "…"}`)
	}
	ref, err := a.subjectRef(*req.Subject)
	if err != nil {
		return err
	}
	if err := a.scenarioParam(req.Scenario); err != nil {
		return err
	}
	if err := textField("text", req.Text); err != nil {
		return err
	}
	date, err := a.dateField("date", req.Date, models.Date{})
	if err != nil {
		return err
	}
	until, err := a.dateField("valid_until", req.ValidUntil, models.Date{})
	if err != nil {
		return err
	}
	if until.Before(date.Time) {
		return badRequest("valid_until %s is before date %s: a commitment holds from its date until valid_until", until, date)
	}
	ctx := c.Request().Context()
	if ref, err = a.existingSubject(ctx, ref); err != nil {
		return err
	}
	c.Set(ctxEntities, []string{ref.String()})
	cm := store.Commitment{ID: newFileID("cmt_"), Subject: ref.String(), Scenario: req.Scenario, Text: strings.TrimSpace(req.Text),
		Date: date, ValidUntil: until, Created: a.opts.Now().UTC(), KeyID: principalOf(c).KeyID}
	if err := a.store.SaveCommitment(ctx, cm); err != nil {
		return err
	}
	return a.reply(c, http.StatusCreated, cm)
}

// existingSubject returns the reference of a commitment's subject: an
// enterprise must be in the graph (404 otherwise, with its canonical key);
// a person is taken by pid whether or not the graph knows them yet, as a
// check of an appointee is (an appointee's commitment comes before the
// appointment that would bring them into the registration data).
func (a *API) existingSubject(ctx context.Context, ref models.Ref) (models.Ref, error) {
	if ref.Kind != models.KindEnterprise {
		return ref, nil
	}
	e, err := a.store.Enterprise(ctx, ref.Key)
	if err != nil {
		return ref, checkError(err)
	}
	return e.Ref(), nil
}

// listCommitments answers GET /enterprises/{key}/commitments: every
// commitment with its breaches as of today (or as_of).
func (a *API) listCommitments(c echo.Context) error {
	key, err := enterpriseKey(c.Param("key"))
	if err != nil {
		return err
	}
	asOf, err := a.asOfParam(c.QueryParam("as_of"))
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	e, err := a.store.Enterprise(ctx, key)
	if err != nil {
		return err
	}
	cs, err := a.checker().Commitments(ctx, e.Ref(), asOf)
	if err != nil {
		return err
	}
	return a.reply(c, http.StatusOK, commitmentsView{Subject: e.Ref(), AsOf: asOf, Commitments: cs})
}

// listPersonCommitments answers GET /persons/{pid}/commitments: a
// person's commitments (an appointee's, for instance) with their breaches.
// A pid nobody committed under answers an empty list, as a person check
// of someone not in the graph answers clear.
func (a *API) listPersonCommitments(c echo.Context) error {
	pid, err := personPID(c.Param("pid"))
	if err != nil {
		return err
	}
	asOf, err := a.asOfParam(c.QueryParam("as_of"))
	if err != nil {
		return err
	}
	ref := models.PersonRef(pid)
	cs, err := a.checker().Commitments(c.Request().Context(), ref, asOf)
	if err != nil {
		return err
	}
	c.Set(ctxEntities, []string{ref.String()})
	return a.reply(c, http.StatusOK, commitmentsView{Subject: ref, AsOf: asOf, Commitments: cs})
}

// recordByID finds a record by id with its holder.
func (a *API) recordByID(ctx context.Context, id string) (models.Record, error) {
	edges, _, err := a.store.Expand(ctx, []models.Ref{models.RecordRef(id)}, []models.RelType{models.RelHasRecord})
	if err != nil {
		return models.Record{}, err
	}
	for _, e := range edges {
		if e.To != models.RecordRef(id) {
			continue
		}
		recs, err := a.store.Records(ctx, e.From)
		if err != nil {
			return models.Record{}, err
		}
		for _, r := range recs {
			if r.ID == id {
				return r, nil
			}
		}
	}
	return models.Record{}, echo.NewHTTPError(http.StatusNotFound, fmt.Sprintf("record %q: no such record; check its id", clip(id)))
}

// fileObjection answers POST /records/{id}/objections.
func (a *API) fileObjection(c echo.Context) error {
	var req objectionRequest
	if err := decodeStrict(c, &req, objectionBody); err != nil {
		return err
	}
	if err := textField("reason", req.Reason); err != nil {
		return err
	}
	if len(req.Attachments) > maxAttachments {
		return badRequest("attachments: at most %d references (got %d)", maxAttachments, len(req.Attachments))
	}
	for i, at := range req.Attachments {
		if strings.TrimSpace(at) == "" || len(at) > 500 {
			return badRequest("attachments[%d]: give a reference of 1 to 500 bytes (a document number, a file name, a URL)", i)
		}
	}
	ctx := c.Request().Context()
	rec, err := a.recordByID(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	c.Set(ctxEntities, []string{rec.Subject.String(), models.RecordRef(rec.ID).String()})
	o := store.Objection{ID: newFileID("obj_"), RecordID: rec.ID, Subject: rec.Subject.String(), Reason: strings.TrimSpace(req.Reason),
		Attachments: nonNil(req.Attachments), Filed: a.opts.Now().UTC(), FiledBy: principalOf(c).KeyID, Status: store.ObjectionOpen}
	if err := a.store.FileObjection(ctx, o); err != nil {
		return err
	}
	return a.reply(c, http.StatusCreated, o)
}

// decideObjection answers POST /objections/{id}/decision.
func (a *API) decideObjection(c echo.Context) error {
	var req decisionRequest
	if err := decodeStrict(c, &req, decisionBody); err != nil {
		return err
	}
	switch {
	case req.Decision != store.ObjectionUpheld && req.Decision != store.ObjectionRejected:
		return badRequest("decision %q: use upheld or rejected", clip(req.Decision))
	case req.Decision == store.ObjectionUpheld && req.Outcome != store.OutcomeWithdrawn && req.Outcome != store.OutcomeCorrected:
		return badRequest("outcome %q: an upheld objection is withdrawn (the record stops counting) or corrected (give its corrected severity)", clip(req.Outcome))
	case req.Decision == store.ObjectionRejected && req.Outcome != "":
		return badRequest("outcome: a rejected objection has none (the record stands); leave it out")
	case req.Outcome == store.OutcomeCorrected && (req.Severity == nil || *req.Severity < 0 || *req.Severity > 1):
		return badRequest("severity: a corrected record needs its corrected severity, a number in [0,1]")
	case req.Outcome != store.OutcomeCorrected && req.Severity != nil:
		return badRequest("severity: only a corrected record takes one; leave it out")
	case len(req.Note) > maxTextLen:
		return badRequest("note: at most %d bytes", maxTextLen)
	}
	ctx := c.Request().Context()
	o, err := a.store.DecideObjection(ctx, c.Param("id"), store.ObjectionDecision{Status: req.Decision, Outcome: req.Outcome,
		Severity: req.Severity, Note: strings.TrimSpace(req.Note), By: principalOf(c).KeyID, At: a.opts.Now()})
	if err != nil {
		return err
	}
	c.Set(ctxEntities, []string{o.Subject, models.RecordRef(o.RecordID).String()})
	return a.reply(c, http.StatusOK, o)
}

// repairRecord answers POST /records/{id}/repair.
func (a *API) repairRecord(c echo.Context) error {
	var req repairRequest
	if err := decodeStrict(c, &req, repairBody); err != nil {
		return err
	}
	if err := textField("basis", req.Basis); err != nil {
		return err
	}
	date, err := a.dateField("date", req.Date, models.ChinaDate(a.opts.Now()))
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	rec, err := a.recordByID(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	c.Set(ctxEntities, []string{rec.Subject.String(), models.RecordRef(rec.ID).String()})
	if !rec.Decided.IsZero() && date.Before(rec.Decided.Time) {
		return badRequest("date %s is before the record's decision (%s): a repair follows the decision", date, rec.Decided)
	}
	r := store.Repair{ID: newFileID("rep_"), RecordID: rec.ID, Subject: rec.Subject.String(), Date: date, Basis: strings.TrimSpace(req.Basis),
		Created: a.opts.Now().UTC(), KeyID: principalOf(c).KeyID}
	if err := a.store.SaveRepair(ctx, r); err != nil {
		return err
	}
	return a.reply(c, http.StatusCreated, r)
}

// getRecord answers GET /records/{id}.
func (a *API) getRecord(c echo.Context) error {
	ctx := c.Request().Context()
	rec, err := a.recordByID(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	c.Set(ctxEntities, []string{rec.Subject.String(), models.RecordRef(rec.ID).String()})
	os, rs, err := a.store.RecordFiles(ctx, []string{rec.ID})
	if err != nil {
		return err
	}
	life := store.Lives(os, rs)[rec.ID]
	v := recordView{Record: rec, Objections: nonNil(os), State: credit.StateOf(a.catalogue(), rec, life, models.ChinaDate(a.opts.Now()))}
	if len(rs) > 0 {
		v.Repair = &rs[0]
	}
	return a.reply(c, http.StatusOK, v)
}

// lifeList is recordLife in the records' order (for profiles).
func (a *API) lifeList(ctx context.Context, recs []models.Record) ([]credit.RecordState, error) {
	m, err := a.recordLife(ctx, recs)
	if err != nil {
		return nil, err
	}
	out := make([]credit.RecordState, 0, len(recs))
	for _, r := range recs {
		out = append(out, m[r.ID])
	}
	return out, nil
}

// recordLife is the state of each record today, by id.
func (a *API) recordLife(ctx context.Context, recs []models.Record) (map[string]credit.RecordState, error) {
	out := make(map[string]credit.RecordState, len(recs))
	if len(recs) == 0 {
		return out, nil
	}
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	os, rs, err := a.store.RecordFiles(ctx, ids)
	if err != nil {
		return nil, err
	}
	lives := store.Lives(os, rs)
	today := models.ChinaDate(a.opts.Now())
	cat := a.catalogue()
	for _, r := range recs {
		out[r.ID] = credit.StateOf(cat, r, lives[r.ID], today)
	}
	return out, nil
}
