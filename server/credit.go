package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"riskgraph/credit"
	"riskgraph/models"
	"riskgraph/store"
)

// Credit checks (docs/credit-checks.md): POST /credit-checks and
// /credit-checks:batch run checks with the server's measures catalogue
// (Options.Measures) and store every answer before sending it, byte for
// byte; GET /credit-checks/{id} returns a stored answer as sent (JSON) or
// as a certificate (HTML); GET /credit-checks counts them.

// maxCheckSubjects bounds POST /credit-checks:batch (its row's MaxItems);
// its body may be checksBatchBodyLimit long (10 000 persons by name and
// identity number fit in well under it).
const (
	maxCheckSubjects     = 10_000
	checksBatchBodyLimit = 4 << 20
	checksBatchPath      = `/api/v1/credit-checks\:batch`
)

const (
	checkBody      = `{"subject": "<USCC or src:key>" or {"name": "…", "id_number": "…"} (appointment), "scenario": "bidding", "as_of": "YYYY-MM-DD" (optional, default today)}`
	checkBatchBody = `{"scenario": "bidding", "as_of": "YYYY-MM-DD" (optional), "subjects": ["<USCC or src:key>", {"name": "…", "id_number": "…"}, …]}`
)

// subjectInput is a check's subject as the caller gives it: an enterprise
// key or USCC (a JSON string, or {"key": …}), or a person by name and
// identity number ({"name": …, "id_number": …}), hashed on arrival.
type subjectInput struct {
	Key      string `json:"key,omitempty"`
	Name     string `json:"name,omitempty" mask:"name"`
	IDNumber string `json:"id_number,omitempty"`
}

// subjectObject is subjectInput's object form, for the OpenAPI document.
type subjectObject struct {
	// Key is an enterprise key (USCC or src:<source>:<id>).
	Key string `json:"key,omitempty"`
	// Name is a person's name (with id_number).
	Name string `json:"name,omitempty"`
	// IDNumber is a person's identity number, hashed on arrival and never stored.
	IDNumber string `json:"id_number,omitempty"`
}

// UnmarshalJSON accepts a string (an enterprise key) or an object.
func (s *subjectInput) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &s.Key)
	}
	type plain subjectInput
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode((*plain)(s))
}

type checkRequest struct {
	Subject  *subjectInput `json:"subject" jsonschema:"required"`
	Scenario string        `json:"scenario" jsonschema:"required"`
	AsOf     string        `json:"as_of"`
}

type checkBatchRequest struct {
	Scenario string         `json:"scenario" jsonschema:"required"`
	AsOf     string         `json:"as_of"`
	Subjects []subjectInput `json:"subjects" jsonschema:"required,minItems=1,maxItems=10000"`
}

// checkBatchView answers a batch: one stored check per subject checked,
// and the subjects that could not be (by their index in the request).
type checkBatchView struct {
	Scenario string          `json:"scenario"`
	AsOf     models.Date     `json:"as_of"`
	Verdicts verdictCounts   `json:"verdicts"`
	Checks   []credit.Answer `json:"checks"`
	Errors   []subjectError  `json:"errors"`
}

// verdictCounts counts a batch's verdicts.
type verdictCounts struct {
	Prohibited   int `json:"prohibited"`
	Restricted   int `json:"restricted"`
	StrictReview int `json:"strict_review"`
	Clear        int `json:"clear"`
}

func (v *verdictCounts) add(verdict string) {
	switch verdict {
	case credit.VerdictProhibited:
		v.Prohibited++
	case credit.VerdictRestricted:
		v.Restricted++
	case credit.VerdictStrictReview:
		v.StrictReview++
	default:
		v.Clear++
	}
}

type subjectError struct {
	Index   int    `json:"index"`
	Subject string `json:"subject"` // "enterprise:<key>", "person:<pid>" or "invalid"
	Reason  string `json:"reason"`
}

// checkCountsView is GET /credit-checks: counts by scenario and verdict.
type checkCountsView struct {
	Scenario string             `json:"scenario,omitempty"`
	Since    string             `json:"since,omitempty"`
	Total    int                `json:"total"`
	Counts   []store.CheckCount `json:"counts"`
}

// scenariosView is GET /credit-checks/scenarios: the scenarios of the
// server's measures catalogue, in catalogue order (the UI's scenario
// select), and the catalogue's version.
type scenariosView struct {
	Catalogue credit.Version `json:"catalogue"`
	Scenarios []scenarioView `json:"scenarios"`
}

// scenarioView is one scenario: id, labels and the subject kinds it checks
// (enterprise and/or person).
type scenarioView struct {
	ID       string   `json:"id"`
	Zh       string   `json:"zh"`
	En       string   `json:"en"`
	Subjects []string `json:"subjects"`
}

// checkScenarios answers GET /credit-checks/scenarios.
func (a *API) checkScenarios(c echo.Context) error {
	cat := a.catalogue()
	v := scenariosView{Catalogue: credit.Version{Version: cat.Version, SHA256: cat.SHA256}, Scenarios: make([]scenarioView, 0, len(cat.Scenarios))}
	for _, s := range cat.Scenarios {
		v.Scenarios = append(v.Scenarios, scenarioView{ID: s.ID, Zh: s.Zh, En: s.En, Subjects: slices.Clone(s.Subjects)})
	}
	c.Set(ctxEntities, []string{})
	return a.reply(c, http.StatusOK, v)
}

func (a *API) catalogue() *credit.Catalogue {
	if a.opts.Measures != nil {
		return a.opts.Measures
	}
	return credit.Default()
}

func (a *API) checker() *credit.Checker {
	return &credit.Checker{Reader: a.store, File: a.store, Catalogue: a.catalogue()}
}

// asOfParam reads as_of (default: today in China); a day after today is refused.
func (a *API) asOfParam(raw string) (models.Date, error) {
	today := models.ChinaDate(a.opts.Now())
	if raw == "" {
		return today, nil
	}
	d, err := models.ParseDate(raw)
	if err != nil {
		return models.Date{}, badRequest("as_of %q: want YYYY-MM-DD", clip(raw))
	}
	if d.After(today.Time) {
		return models.Date{}, badRequest("as_of %s is after today (%s): a check answers for a day that has been", d, today)
	}
	return d, nil
}

// scenarioParam checks the scenario against the catalogue: 400 listing the allowed ones.
func (a *API) scenarioParam(id string) error {
	cat := a.catalogue()
	if _, ok := cat.Scenario(id); !ok {
		return badRequest("scenario %q: use one of %s", clip(id), strings.Join(cat.ScenarioIDs(), ", "))
	}
	return nil
}

// subjectRef turns a subject into a node reference; a person's identity
// number is validated and hashed here and goes no further. Messages never
// repeat an identity number.
func (a *API) subjectRef(s subjectInput) (models.Ref, error) {
	switch {
	case s.Key != "" && (s.Name != "" || s.IDNumber != ""):
		return models.Ref{}, badRequest("subject: give an enterprise key, or a person's name and id_number, not both")
	case s.Key != "":
		key, err := enterpriseKey(s.Key)
		if err != nil {
			if idNumberLike.MatchString(s.Key) {
				// Not a USCC, and shaped like an identity number: never repeat it.
				return models.Ref{}, badRequest(`subject: not a valid USCC, and it looks like an identity number; give a person as {"name": "…", "id_number": "…"}`)
			}
			return models.Ref{}, err
		}
		return models.EnterpriseRef(key), nil
	case s.IDNumber != "":
		if strings.TrimSpace(s.Name) == "" {
			return models.Ref{}, badRequest("subject.name: a person is given by name and id_number; the name is missing")
		}
		n, p := models.CheckIDNumber(s.IDNumber, models.ChinaDate(a.opts.Now()))
		if p != nil {
			return models.Ref{}, badRequest("subject.id_number: %s; %s", p.Reason, p.Fix)
		}
		if a.opts.Hasher == nil {
			return models.Ref{}, echo.NewHTTPError(http.StatusServiceUnavailable, "this server has no pid key configured and cannot check persons; set RISKGRAPH_PID_KEY")
		}
		return models.PersonRef(a.opts.Hasher.FromIDNumber(n)), nil
	}
	return models.Ref{}, badRequest(`subject: give an enterprise's USCC or key, or a person as {"name": "…", "id_number": "…"}`)
}

// evidenceEntities names the subject and every party whose record the
// answer cites (for the audit log).
func evidenceEntities(res credit.Result) []string {
	out := []string{res.Subject.Ref.String()}
	for _, m := range res.Measures {
		if s := m.Record.Subject.String(); !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// createCheck answers POST /credit-checks: one check, stored, then sent
// exactly as stored.
func (a *API) createCheck(c echo.Context) error {
	var req checkRequest
	if err := decodeStrict(c, &req, checkBody); err != nil {
		return err
	}
	if req.Subject == nil {
		return badRequest("subject: missing; " + checkBody)
	}
	if err := a.scenarioParam(req.Scenario); err != nil {
		return err
	}
	asOf, err := a.asOfParam(req.AsOf)
	if err != nil {
		return err
	}
	ref, err := a.subjectRef(*req.Subject)
	if err != nil {
		c.Set(ctxEntities, []string{"invalid"})
		return err
	}
	c.Set(ctxEntities, []string{ref.String()})
	ctx := c.Request().Context()
	res, err := a.checker().Check(ctx, credit.Request{Subject: ref, Scenario: req.Scenario, AsOf: asOf, Name: strings.TrimSpace(req.Subject.Name)})
	if err != nil {
		return checkError(err)
	}
	c.Set(ctxEntities, evidenceEntities(res))
	_, row, err := credit.Seal(res, principalOf(c).KeyID, a.opts.Now())
	if err != nil {
		return err
	}
	if err := a.store.SaveChecks(ctx, []store.CreditCheck{row}); err != nil {
		return err
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, row.Body)
}

// checkError turns a subject the store does not know into a clear 404.
func checkError(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return echo.NewHTTPError(http.StatusNotFound, "subject: no such enterprise in the graph; check the USCC or key")
	}
	return err
}

// createChecks answers POST /credit-checks:batch: every subject checked
// and stored (one store write), or listed under errors with the reason.
func (a *API) createChecks(c echo.Context) error {
	var req checkBatchRequest
	if err := decodeStrict(c, &req, checkBatchBody); err != nil {
		return err
	}
	if n := a.maxItems(c); len(req.Subjects) == 0 || len(req.Subjects) > n {
		return badRequest("subjects: give 1 to %d subjects (got %d)", n, len(req.Subjects))
	}
	if err := a.scenarioParam(req.Scenario); err != nil {
		return err
	}
	asOf, err := a.asOfParam(req.AsOf)
	if err != nil {
		return err
	}
	view := checkBatchView{Scenario: req.Scenario, AsOf: asOf, Checks: []credit.Answer{}, Errors: []subjectError{}}
	var reqs []credit.Request
	var index []int
	entities := []string{}
	for i, s := range req.Subjects {
		ref, err := a.subjectRef(s)
		if err != nil {
			var he *echo.HTTPError
			if errors.As(err, &he) && he.Code == http.StatusServiceUnavailable {
				return err
			}
			view.Errors = append(view.Errors, subjectError{Index: i, Subject: "invalid", Reason: httpMessage(err)})
			continue
		}
		entities = append(entities, ref.String())
		reqs = append(reqs, credit.Request{Subject: ref, Scenario: req.Scenario, AsOf: asOf, Name: strings.TrimSpace(s.Name)})
		index = append(index, i)
	}
	c.Set(ctxEntities, entities)
	ctx := c.Request().Context()
	outcomes := a.checker().CheckAll(ctx, reqs, runtime.GOMAXPROCS(0))
	now := a.opts.Now()
	rows := make([]store.CreditCheck, 0, len(outcomes))
	for k, o := range outcomes {
		if o.Err != nil {
			if !errors.Is(o.Err, store.ErrNotFound) && !errors.Is(o.Err, store.ErrInvalid) {
				return o.Err
			}
			view.Errors = append(view.Errors, subjectError{Index: index[k], Subject: reqs[k].Subject.String(), Reason: httpMessage(checkError(o.Err))})
			continue
		}
		ans, row, err := credit.Seal(o.Result, principalOf(c).KeyID, now)
		if err != nil {
			return err
		}
		view.Checks = append(view.Checks, ans)
		view.Verdicts.add(ans.Result.Verdict)
		rows = append(rows, row)
	}
	slices.SortFunc(view.Errors, func(x, y subjectError) int { return x.Index - y.Index })
	if err := a.store.SaveChecks(ctx, rows); err != nil {
		return err
	}
	body, err := json.Marshal(view)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, body)
}

// httpMessage is the message a client sees for err.
func httpMessage(err error) string {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		if m, ok := he.Message.(string); ok {
			return m
		}
	}
	return err.Error()
}

// getCheck answers GET /credit-checks/{id}: the stored answer exactly as
// it was sent (JSON), or its certificate (HTML) by format= or Accept.
func (a *API) getCheck(c echo.Context) error {
	format, err := reportFormat(c)
	if err != nil || format == "csv" {
		return badRequest("format: use json or html")
	}
	ck, err := a.store.Check(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	c.Set(ctxEntities, []string{ck.Subject})
	if format == "json" {
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, ck.Body)
	}
	var ans credit.Answer
	if err := json.Unmarshal(ck.Body, &ans); err != nil {
		return fmt.Errorf("stored check %s: %w", ck.ID, err)
	}
	var b bytes.Buffer
	if err := credit.WriteHTML(&b, []credit.Answer{ans}); err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "text/html; charset=utf-8", b.Bytes())
}

// checkCounts answers GET /credit-checks: counts by scenario and verdict.
func (a *API) checkCounts(c echo.Context) error {
	q := store.CheckQuery{Scenario: c.QueryParam("scenario")}
	if q.Scenario != "" {
		if err := a.scenarioParam(q.Scenario); err != nil {
			return err
		}
	}
	view := checkCountsView{Scenario: q.Scenario}
	if s := c.QueryParam("since"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			d, derr := models.ParseDate(s)
			if derr != nil {
				return badRequest("since=%q: use a date (2026-11-01) or an RFC 3339 time", clip(s))
			}
			t = d.Time.Add(-8 * time.Hour) // the day starts in China
		}
		q.Since, view.Since = t, s
	}
	counts, err := a.store.CheckCounts(c.Request().Context(), q)
	if err != nil {
		return err
	}
	view.Counts = nonNil(counts)
	for _, n := range counts {
		view.Total += n.Count
	}
	return a.reply(c, http.StatusOK, view)
}
