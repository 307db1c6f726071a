package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"riskgraph/ingest"
	"riskgraph/ingest/reader"
)

// ingestResponse is the answer of POST /api/v1/ingest/{kind}: the load
// summary (counts, rejects and warnings with file "body", line, field,
// masked value, reason and fix).
type ingestResponse struct {
	ingest.LoadSummary
}

// ingestRows answers POST /api/v1/ingest/{kind}: the body holds CSV (with a
// header) or NDJSON rows of one kind, as departments push them. Query:
// source (the data set's name, default "api"), format (csv or ndjson;
// default from Content-Type), encoding (auto), references (placeholder or
// reject), dry_run, max_rejects, match (true: enterprise references that
// are names or old codes are resolved with the server's match index, as
// riskgraph ingest --match does), match_accept, match_review. Rows are
// validated and written exactly as riskgraph ingest does; the summary says
// what was refused and why.
func (a *API) ingestRows(c echo.Context) error {
	if a.opts.Hasher == nil {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "this server has no pid key configured and cannot ingest; set RISKGRAPH_PID_KEY")
	}
	kind := ingest.FileKind(strings.ToLower(c.Param("kind")))
	if !kind.Valid() {
		names := make([]string, len(ingest.FileKinds))
		for i, k := range ingest.FileKinds {
			names[i] = string(k)
		}
		return badRequest("kind %q: use one of %s", c.Param("kind"), strings.Join(names, ", "))
	}
	req := c.Request()
	limit := a.opts.IngestBodyLimit
	if req.ContentLength > limit {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge,
			fmt.Sprintf("the body has %d bytes, more than the limit of %d; split the rows into several requests", req.ContentLength, limit))
	}
	q := c.QueryParams()
	opts := ingest.LoadOptions{
		Hasher: a.opts.Hasher, Source: q.Get("source"), Kind: kind, Encoding: q.Get("encoding"),
		References: ingest.References(q.Get("references")), Logger: a.log, Reader: a.store,
		MaxRejects: 1000, Now: a.opts.Now,
	}
	if opts.Source == "" {
		opts.Source = "api"
	}
	var err error
	if opts.Match, err = a.ingestMatchOptions(q.Get("match"), q.Get("match_accept"), q.Get("match_review")); err != nil {
		return err
	}
	format := q.Get("format")
	if format == "" {
		if mt, _, err := mime.ParseMediaType(req.Header.Get("Content-Type")); err == nil &&
			(strings.Contains(mt, "ndjson") || strings.Contains(mt, "jsonl") || mt == "application/json") {
			format = "ndjson"
		} else {
			format = "csv"
		}
	}
	if opts.Format, err = reader.ParseFormat(format); err != nil {
		return badRequest("%v", err)
	}
	if s := q.Get("dry_run"); s != "" {
		if opts.DryRun, err = strconv.ParseBool(s); err != nil {
			return badRequest("dry_run=%q: use true or false", s)
		}
	}
	if s := q.Get("max_rejects"); s != "" {
		if opts.AbortAfterRejects, err = strconv.ParseInt(s, 10, 64); err != nil || opts.AbortAfterRejects < 0 {
			return badRequest("max_rejects=%q: use a whole number of 0 or more (0: never stop)", s)
		}
	}
	if _, err := reader.ParseEncoding(opts.Encoding); err != nil {
		return badRequest("%v", err)
	}
	if r := opts.References; r != "" && r != ingest.RefPlaceholder && r != ingest.RefReject {
		return badRequest("references=%q: use placeholder or reject", r)
	}
	if opts.Source != "api" && !ingest.ValidSource(opts.Source) {
		return badRequest("source=%q: use 1-64 letters, digits, '.', '_' or '-'", opts.Source)
	}
	body := http.MaxBytesReader(c.Response(), req.Body, limit)
	opts.Stdin = body
	sum, err := ingest.Load(req.Context(), []reader.Input{{Path: reader.Stdin, Name: "body"}}, a.store, opts)
	for _, f := range sum.Files {
		var mbe *http.MaxBytesError
		if strings.Contains(f.Error, "request body too large") || errors.As(err, &mbe) {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge, fmt.Sprintf(
				"the body is larger than the limit of %d bytes; the %d rows before the limit were accepted, send the rest in another request",
				limit, sum.Total.Accepted))
		}
	}
	if err != nil && !errors.Is(err, ingest.ErrTooManyRejects) {
		return err
	}
	if sum.Total.Accepted == 0 {
		body := ingestFailure{problemOf(http.StatusUnprocessableEntity, nothingLoaded(sum)), sum}
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		return c.Blob(http.StatusUnprocessableEntity, mimeProblem, b)
	}
	return c.JSON(http.StatusOK, ingestResponse{sum})
}

// ingestFailure is the 422 of an ingest request that loaded nothing: the
// error, and the load summary with the rejects that say why row by row.
type ingestFailure struct {
	errorBody
	ingest.LoadSummary
}

// nothingLoaded says why a load accepted no row.
func nothingLoaded(sum ingest.LoadSummary) string {
	verb := "nothing was loaded"
	if sum.DryRun {
		verb = "nothing would be loaded"
	}
	for _, f := range sum.Files {
		if f.Error != "" {
			return fmt.Sprintf("%s: %s", verb, f.Error)
		}
	}
	if sum.Total.Read == 0 {
		return verb + ": the body holds no rows (CSV needs a header line and at least one row; NDJSON one object per line)"
	}
	msg := fmt.Sprintf("%s: all %d rows were rejected", verb, sum.Total.Rejected)
	for _, r := range sum.Rejects {
		if r.Level != "" {
			continue // a warning, not a reject
		}
		msg += fmt.Sprintf("; the first, line %d", r.Line)
		if r.Field != "" {
			msg += ", field " + r.Field
		}
		msg += ": " + r.Reason
		if r.Fix != "" {
			msg += " (" + r.Fix + ")"
		}
		break
	}
	if sum.Stopped != "" {
		msg += "; stopped: " + sum.Stopped
	}
	return msg + "; see rejects"
}
