package server

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"riskgraph/store"
)

// batchesPath is the route of writeBatch, whose body limit is BatchBodyLimit.
const batchesPath = "/api/v1/batches"

// writeBatch answers POST /batches (writer): one store batch as JSON
// (store.Batch: enterprises, persons, shareholdings, roles, branches,
// records), written as one store transaction (one journal record) through
// the store wrapper. It is what `riskgraph ingest` sends while serve holds
// the data dir: the rows were read, validated and mapped by the CLI exactly
// as in a local load. The answer is 200 {"rows": n, "generation": g} once
// the batch is durable.
func (a *API) writeBatch(c echo.Context) error {
	req := c.Request()
	var b store.Batch
	dec := json.NewDecoder(req.Body) // limited by bodyLimit to BatchBodyLimit
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		if tl := bodyTooLarge(c, err); tl != nil {
			return tl
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
	return c.JSON(http.StatusOK, batchWritten{Rows: b.Len(), Generation: gen})
}
