package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"riskgraph/store"
)

// writeBatch answers POST /batches (writer): one store batch as JSON
// (store.Batch: enterprises, persons, shareholdings, roles, branches,
// records), written as one store transaction (one journal record) through
// the store wrapper. It is what `riskgraph ingest` sends while serve holds
// the data dir: the rows were read, validated and mapped by the CLI exactly
// as in a local load. The answer is 200 {"rows": n, "generation": g} once
// the batch is durable.
func (a *API) writeBatch(c echo.Context) error {
	limit := a.opts.BatchBodyLimit
	req := c.Request()
	if req.ContentLength > limit {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge,
			fmt.Sprintf("the batch has %d bytes, more than the limit of %d; send fewer rows per batch (riskgraph ingest --batch-size)", req.ContentLength, limit))
	}
	var b store.Batch
	dec := json.NewDecoder(http.MaxBytesReader(c.Response(), req.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge,
				fmt.Sprintf("the batch is larger than the limit of %d bytes; send fewer rows per batch (riskgraph ingest --batch-size)", limit))
		}
		return badRequest("body: want one store batch as JSON {\"enterprises\": […], \"persons\": […], …}: %v", jsonProblem(err))
	}
	if dec.More() {
		return badRequest("body: one JSON batch per request, nothing after it")
	}
	if b.Len() == 0 {
		return badRequest("body: the batch holds no rows")
	}
	for i, e := range b.Enterprises {
		if e.Risk != nil {
			return badRequest("enterprises[%d]: risk is the engine's; a batch carries registration data only", i)
		}
	}
	for i, p := range b.Persons {
		if p.Risk != nil {
			return badRequest("persons[%d]: risk is the engine's; a batch carries registration data only", i)
		}
	}
	ctx := req.Context()
	if err := a.store.WriteBatch(ctx, &b); err != nil {
		return err
	}
	gen, err := a.store.Generation(ctx)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"rows": b.Len(), "generation": gen})
}
