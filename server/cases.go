package server

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"riskgraph/report"
	"riskgraph/store"
)

// Case files (docs/ui.md, "Case files"): an inspector's saved
// investigation under /cases. POST creates one (201), GET lists them
// (paged, newest update first; archived ones with archived=true), GET
// /cases/{id} answers one with its graph as it stands now (the nodes of
// its view and the relationships between them), PUT replaces one under
// optimistic concurrency (the body's version must be the stored one,
// else 409), DELETE archives one (it stays readable and exportable, and
// is read-only from then on; cases are never deleted), and GET
// /cases/{id}/export renders it as HTML or PDF. Inspectors and admins
// only. Every request is audited with the case ("case:<id>") and its
// entities.

// caseBodyLimit bounds the body of POST and PUT /cases: a view of
// store.MaxCaseNodes nodes with their places and groups.
const caseBodyLimit = 4 << 20

// casesPath and casePath are the routes whose bodies are cases.
const (
	casesPath = "/api/v1/cases"
	casePath  = "/api/v1/cases/:id"
)

// caseBody is the body of POST /cases.
type caseBody struct {
	Title string `json:"title" jsonschema:"required,minLength=1,maxLength=200"`
	Notes string `json:"notes,omitempty" jsonschema:"maxLength=20000"`
	// Entities named besides the view's nodes: "enterprise:<key>" (or a
	// bare USCC / src: key) and "person:<pid>".
	Entities []string       `json:"entities,omitempty" jsonschema:"maxItems=5000"`
	View     store.CaseView `json:"view" jsonschema:"required"`
}

// caseUpdateBody is the body of PUT /cases/{id}: the whole case again,
// with the version it was read at.
type caseUpdateBody struct {
	Version  int            `json:"version" jsonschema:"required,minimum=1"`
	Title    string         `json:"title" jsonschema:"required,minLength=1,maxLength=200"`
	Notes    string         `json:"notes,omitempty" jsonschema:"maxLength=20000"`
	Entities []string       `json:"entities,omitempty" jsonschema:"maxItems=5000"`
	View     store.CaseView `json:"view" jsonschema:"required"`
}

// caseFile is GET /cases/{id}: the case, the graph of its view as the
// data stands now, and the view's nodes no longer in the data.
type caseFile struct {
	Case    store.Case  `json:"case"`
	Graph   store.Graph `json:"graph"`
	Missing []string    `json:"missing"`
}

// casesView is GET /cases.
type casesView struct {
	Cases  []store.Case `json:"cases"`
	Total  int          `json:"total"`
	Offset int          `json:"offset"`
	Limit  int          `json:"limit"`
}

const caseBodyWant = `{"title": "…", "notes": "…", "entities": ["enterprise:<key>", "person:<pid>"], "view": {"mode": "network", "nodes": [{"id": "enterprise:<key>", "x": 0, "y": 0}], "edges": []}}`

// caseEntities is the case's entity list: the ones named, normalised, then
// the view's enterprises and persons, each once.
func caseEntities(named []string, v *store.CaseView) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	add := func(e string) {
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	for i, raw := range named {
		e := strings.TrimSpace(raw)
		if !strings.HasPrefix(e, "person:") && !strings.HasPrefix(e, "enterprise:") {
			e = "enterprise:" + e
		}
		if key, ok := strings.CutPrefix(e, "enterprise:"); ok {
			k, err := enterpriseKey(key)
			if err != nil {
				return nil, badField("body", fmt.Sprintf("entities[%d]", i), "entities[%d]: give enterprise:<USCC or src:<source>:<id>> or person:<pid>", i)
			}
			e = "enterprise:" + k
		} else {
			e = "person:" + strings.ToLower(strings.TrimPrefix(e, "person:"))
		}
		if err := store.CaseEntity(e); err != nil {
			return nil, badField("body", fmt.Sprintf("entities[%d]", i), "entities[%d]: %v", i, err)
		}
		add(e)
	}
	for _, n := range v.Nodes {
		if strings.HasPrefix(n.ID, "enterprise:") || strings.HasPrefix(n.ID, "person:") {
			add(n.ID)
		}
	}
	if len(out) > store.MaxCaseEntities {
		return nil, badField("body", "entities", "entities: a case names at most %d entities, its view's included (it names %d)", store.MaxCaseEntities, len(out))
	}
	return out, nil
}

// caseError turns a store's CaseProblem into a 400 naming the body's
// field; other errors pass.
func caseError(err error) error {
	var p *store.CaseProblem
	if errors.As(err, &p) {
		return badField("body", p.Field, "%s: %s", p.Field, p.Msg)
	}
	return err
}

// auditCase records the case and its entities on the request's audit entry.
func auditCase(c echo.Context, id string, entities []string) {
	c.Set(ctxEntities, append([]string{"case:" + id}, entities...))
}

// createCase answers POST /cases.
func (a *API) createCase(c echo.Context) error {
	var body caseBody
	if err := decodeStrict(c, &body, caseBodyWant); err != nil {
		return err
	}
	if n := a.maxItems(c); len(body.View.Nodes) > n {
		return badField("body", "view.nodes", "view.nodes: at most %d nodes (got %d)", n, len(body.View.Nodes))
	}
	if err := store.ValidateCaseView(&body.View); err != nil {
		return caseError(err)
	}
	entities, err := caseEntities(body.Entities, &body.View)
	if err != nil {
		return err
	}
	var id [6]byte
	_, _ = rand.Read(id[:])
	now := a.opts.Now().UTC().Truncate(time.Millisecond)
	who := principalOf(c).KeyID
	kc := store.Case{ID: "case-" + hex.EncodeToString(id[:]), Title: strings.TrimSpace(body.Title), Notes: body.Notes, Entities: entities,
		View: &body.View, CreatedBy: who, UpdatedBy: who, Created: now, Updated: now, Version: 1, Nodes: len(body.View.Nodes)}
	auditCase(c, kc.ID, entities)
	if err := a.store.CreateCase(c.Request().Context(), kc); err != nil {
		return caseError(err)
	}
	return a.reply(c, http.StatusCreated, kc)
}

// listCases answers GET /cases.
func (a *API) listCases(c echo.Context) error {
	offset, err := a.intQuery(c, "offset")
	if err != nil {
		return err
	}
	limit, err := a.intQuery(c, "limit")
	if err != nil {
		return err
	}
	q := store.CaseQuery{Offset: offset, Limit: limit}
	switch v := c.QueryParam("archived"); v {
	case "", "false":
	case "true":
		q.Archived = true
	default:
		return badRequest("archived %q: use true or false", clip(v))
	}
	switch v := c.QueryParam("mine"); v {
	case "", "false":
	case "true":
		q.CreatedBy = principalOf(c).KeyID
	default:
		return badRequest("mine %q: use true or false", clip(v))
	}
	list, total, err := a.store.Cases(c.Request().Context(), q)
	if err != nil {
		return err
	}
	ids := make([]string, len(list))
	for i, x := range list {
		ids[i] = "case:" + x.ID
	}
	c.Set(ctxEntities, ids)
	return a.reply(c, http.StatusOK, casesView{Cases: nonNil(list), Total: total, Offset: offset, Limit: limit})
}

// getCase answers GET /cases/{id}: the case and its graph now.
func (a *API) getCase(c echo.Context) error {
	ctx := c.Request().Context()
	kc, err := a.store.Case(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	auditCase(c, kc.ID, kc.Entities)
	g, missing, err := store.Induced(ctx, a.store, kc.View.Refs())
	if err != nil {
		return err
	}
	gone := make([]string, len(missing))
	for i, m := range missing {
		gone[i] = m.String()
	}
	return a.reply(c, http.StatusOK, caseFile{Case: kc, Graph: g, Missing: gone})
}

// updateCase answers PUT /cases/{id}.
func (a *API) updateCase(c echo.Context) error {
	var body caseUpdateBody
	if err := decodeStrict(c, &body, `{"version": <the version read>, `+caseBodyWant[1:]); err != nil {
		return err
	}
	if body.Version < 1 {
		return badField("body", "version", "version: give the version the case was read at (from 1)")
	}
	if n := a.maxItems(c); len(body.View.Nodes) > n {
		return badField("body", "view.nodes", "view.nodes: at most %d nodes (got %d)", n, len(body.View.Nodes))
	}
	if err := store.ValidateCaseView(&body.View); err != nil {
		return caseError(err)
	}
	ctx := c.Request().Context()
	old, err := a.store.Case(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	entities, err := caseEntities(body.Entities, &body.View)
	if err != nil {
		return err
	}
	auditCase(c, old.ID, entities)
	if old.Archived != nil {
		return fmt.Errorf("%w: case %s was archived on %s; archived cases are read-only (save it as a new case)", store.ErrConflict, old.ID, old.Archived.Format(time.DateOnly))
	}
	next := old
	next.Title, next.Notes, next.Entities, next.View = strings.TrimSpace(body.Title), body.Notes, entities, &body.View
	next.Version, next.UpdatedBy, next.Updated = body.Version, principalOf(c).KeyID, a.opts.Now().UTC().Truncate(time.Millisecond)
	stored, err := a.store.UpdateCase(ctx, next)
	if errors.Is(err, store.ErrStale) {
		return fmt.Errorf("%w: case %s is at version %d and you sent version %d: someone saved it meanwhile; reopen it, reapply your change and save again", store.ErrConflict, old.ID, old.Version, body.Version)
	}
	if err != nil {
		return caseError(err)
	}
	return a.reply(c, http.StatusOK, stored)
}

// archiveCase answers DELETE /cases/{id}: the case is archived, never
// deleted.
func (a *API) archiveCase(c echo.Context) error {
	ctx := c.Request().Context()
	kc, err := a.store.Case(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	auditCase(c, kc.ID, kc.Entities)
	if kc.Archived != nil {
		return fmt.Errorf("%w: case %s was archived already on %s", store.ErrConflict, kc.ID, kc.Archived.Format(time.DateOnly))
	}
	now := a.opts.Now().UTC().Truncate(time.Millisecond)
	kc.Archived, kc.Updated, kc.UpdatedBy = &now, now, principalOf(c).KeyID
	stored, err := a.store.UpdateCase(ctx, kc)
	if err != nil {
		return err
	}
	stored.View = nil
	return a.reply(c, http.StatusOK, stored)
}

// exportCase answers GET /cases/{id}/export?format=html|pdf.
func (a *API) exportCase(c echo.Context) error {
	format := strings.ToLower(c.QueryParam("format"))
	switch format {
	case "":
		format = "html"
	case "html", "pdf":
	default:
		return badRequest("format %q: use html or pdf", clip(format))
	}
	ctx := c.Request().Context()
	kc, err := a.store.Case(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	auditCase(c, kc.ID, kc.Entities)
	in := report.CaseInput{Store: a.store, Catalogue: a.catalogue(), Now: a.opts.Now()}
	if id, err := latestRun(ctx, a.store); err != nil {
		return err
	} else if id != "" {
		if in.Run, err = a.store.Run(ctx, id); err != nil {
			return err
		}
	}
	if in.Generation, err = a.store.Generation(ctx); err != nil {
		return err
	}
	d, err := report.BuildCase(ctx, in, kc)
	if err != nil {
		return err
	}
	name := kc.ID + "-v" + fmt.Sprint(kc.Version)
	if format == "pdf" {
		pdf, err := report.RenderCasePDF(d)
		if err != nil {
			return err
		}
		c.Response().Header().Set(echo.HeaderContentDisposition, `inline; filename="`+name+`.pdf"`)
		return c.Blob(http.StatusOK, "application/pdf", pdf)
	}
	page, err := report.RenderCaseHTML(d)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "text/html; charset=utf-8", page)
}
