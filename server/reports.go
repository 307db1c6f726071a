package server

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"riskgraph/report"
	"riskgraph/store"
)

// reportView is a report as listings show it (no body).
type reportView struct {
	ID       string          `json:"id"`
	Created  string          `json:"created"`
	Run      string          `json:"run"`
	Against  string          `json:"against"`
	Scope    string          `json:"scope,omitempty"`
	Summary  json.RawMessage `json:"summary,omitempty"`
	Delivery json.RawMessage `json:"delivery,omitempty"`
}

func viewReport(r store.Report) reportView {
	return reportView{ID: r.ID, Created: r.Created.UTC().Format("2006-01-02T15:04:05Z"), Run: r.Run, Against: r.Against,
		Scope: r.Scope, Summary: r.Summary, Delivery: r.Delivery}
}

// listReports answers GET /reports: newest first, without bodies.
func (a *API) listReports(c echo.Context) error {
	limit, err := a.intQuery(c, "limit")
	if err != nil {
		return err
	}
	list, err := a.store.Reports(c.Request().Context(), limit)
	if err != nil {
		return err
	}
	out := make([]reportView, len(list))
	for i, r := range list {
		out[i] = viewReport(r)
	}
	return c.JSON(http.StatusOK, reportsView{Reports: out})
}

// reportFormat picks json, csv or html from format= or the Accept header.
func reportFormat(c echo.Context) (string, error) {
	switch f := strings.ToLower(c.QueryParam("format")); f {
	case "json", "csv", "html":
		return f, nil
	case "":
	default:
		return "", badRequest("format %q: use json, csv or html", f)
	}
	accept := c.Request().Header.Get("Accept")
	for _, part := range strings.Split(accept, ",") {
		mt, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		switch strings.ToLower(mt) {
		case "application/json":
			return "json", nil
		case "text/csv":
			return "csv", nil
		case "text/html":
			return "html", nil
		}
	}
	return "json", nil
}

// getReport answers GET /reports/{id} as JSON (the stored document), CSV
// (one section, section=…) or HTML.
func (a *API) getReport(c echo.Context) error {
	id := c.Param("id")
	if len(id) > 200 {
		return badRequest("report id is %d characters long; use at most 200", len(id))
	}
	format, err := reportFormat(c)
	if err != nil {
		return err
	}
	section := c.QueryParam("section")
	if section == "" {
		section = "entered_cd"
	}
	if format == "csv" && !contains(report.Sections, section) {
		return badRequest("section %q: use one of %s", section, strings.Join(report.Sections, ", "))
	}
	r, err := a.store.Report(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if format == "json" {
		return c.Blob(http.StatusOK, "application/json; charset=utf-8", r.Body)
	}
	var d report.Document
	if err := json.Unmarshal(r.Body, &d); err != nil {
		return err
	}
	if format == "html" {
		b, err := report.RenderHTML(&d)
		if err != nil {
			return err
		}
		c.Response().Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
		return c.Blob(http.StatusOK, "text/html; charset=utf-8", b)
	}
	b, err := report.RenderCSV(&d, section)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+r.ID+"-"+section+`.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", b)
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}
