package server

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"riskgraph/report"
)

// Credit reports (docs/credit-report.md): GET
// /enterprises/{key}/credit-report issues a report — builds it from the
// store and the latest engine result, seals it, stores it — and answers
// it as JSON (the issued document, byte for byte), HTML or PDF; GET
// /credit-reports/{number} answers an issued report as stored, so that
// anyone holding a copy can verify it. The dashboard role gets the issued
// report's JSON with persons' names masked, and no other format.

// creditFormat reads format= (json, the default, html or pdf).
func creditFormat(c echo.Context) (string, error) {
	switch f := strings.ToLower(c.QueryParam("format")); f {
	case "", "json":
		return "json", nil
	case "html", "pdf":
		return f, nil
	default:
		return "", badRequest("format %q: use json, html or pdf", clip(f))
	}
}

// issueCreditReport answers GET /enterprises/{key}/credit-report.
func (a *API) issueCreditReport(c echo.Context) error {
	format, err := creditFormat(c)
	if err != nil {
		return err
	}
	p := principalOf(c)
	if p.Role.Masked() && format != "json" {
		return echo.NewHTTPError(http.StatusForbidden, fmt.Sprintf("the %s role gets the credit report as masked JSON only; ask for format=json", p.Role))
	}
	key, err := enterpriseKey(c.Param("key"))
	if err != nil {
		return err
	}
	c.Set(ctxEntities, []string{"enterprise:" + key})
	ctx := c.Request().Context()
	in := report.CreditInput{Store: a.store, Result: a.opts.Engine.Get(), Catalogue: a.catalogue(), Now: a.opts.Now()}
	if in.Result != nil {
		id, err := latestRun(ctx, a.store)
		if err != nil {
			return err
		}
		if id != "" {
			if in.Run, err = a.store.Run(ctx, id); err != nil {
				return err
			}
		}
	}
	d, body, err := report.IssueCredit(ctx, in, a.store, key, p.KeyID)
	if errors.Is(err, report.ErrNoRun) {
		return echo.NewHTTPError(http.StatusServiceUnavailable, err.Error())
	}
	if err != nil {
		return err
	}
	c.Set(ctxEntities, d.Parties())
	if p.Role.Masked() {
		return a.reply(c, http.StatusOK, *d)
	}
	return a.sendCredit(c, format, d, body)
}

// sendCredit answers a report in format: the issued JSON as it is, or
// its HTML or PDF rendering.
func (a *API) sendCredit(c echo.Context, format string, d *report.CreditReport, body []byte) error {
	c.Response().Header().Set("X-Credit-Report-Number", d.Number)
	c.Response().Header().Set("X-Credit-Report-SHA256", d.SHA256)
	switch format {
	case "html":
		page, err := report.RenderCreditHTML(d)
		if err != nil {
			return err
		}
		return c.Blob(http.StatusOK, "text/html; charset=utf-8", page)
	case "pdf":
		pdf, err := report.RenderCreditPDF(d)
		if err != nil {
			return err
		}
		c.Response().Header().Set(echo.HeaderContentDisposition, `inline; filename="`+d.Number+`.pdf"`)
		return c.Blob(http.StatusOK, "application/pdf", pdf)
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, body)
}

// getCreditReport answers GET /credit-reports/{number}: the issued report
// exactly as stored (JSON), or rendered again (HTML, PDF).
func (a *API) getCreditReport(c echo.Context) error {
	format, err := creditFormat(c)
	if err != nil {
		return err
	}
	r, err := a.store.CreditReport(c.Request().Context(), c.Param("number"))
	if err != nil {
		return err
	}
	d, err := report.ParseCredit(r.Body)
	if err != nil {
		return fmt.Errorf("stored credit report %s: %w", r.Number, err)
	}
	c.Set(ctxEntities, d.Parties())
	return a.sendCredit(c, format, d, r.Body)
}
