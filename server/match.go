package server

import (
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"sync"

	"github.com/labstack/echo/v4"

	"riskgraph/match"
	"riskgraph/models"
)

// POST /match: screening queries against the stored enterprises and
// persons (docs/matching.md). The candidate index is a match.Live: built
// from one store scan on the first query, then kept current by the
// server's own writes — every batch written through the store wrapper
// (POST /batches, POST /ingest/{kind}) is applied to it once the store
// acknowledged it (timedStore.WriteBatch) — so a query after a write sees
// it without a rebuild. Each query checks the store's generation: when it
// moved beyond the writes the index applied (another writer: a second
// replica on Neo4j, a CLI load), the index is rebuilt from a scan, and
// concurrent queries wait for that one rebuild.

// maxMatchQueries bounds POST /match (its row's MaxItems).
const maxMatchQueries = 1000

// Default and bound of POST /match's limit (candidates per query).
const (
	defaultMatchLimit = 5
	maxMatchLimit     = 50
)

// matchRequest is POST /match's body.
type matchRequest struct {
	Queries []match.Query `json:"queries" jsonschema:"required,minItems=1,maxItems=1000"`
	// Limit is the candidates per query (0: 5).
	Limit int `json:"limit" jsonschema:"minimum=0,maximum=50"`
}

// matchView is POST /match's answer: one result per query, in order.
type matchView struct {
	// Threshold is the score from which a candidate is a match.
	Threshold float64 `json:"threshold"`
	// Generation is the data generation the index was built from.
	Generation uint64        `json:"generation"`
	Results    []matchResult `json:"results"`
}

// matchResult answers one query. The query itself is not echoed (it may
// carry codes or a person's name); Query is its position in the request.
type matchResult struct {
	Query      int               `json:"query"`
	Candidates []match.Candidate `json:"candidates"`
}

const matchBody = `{"queries": [{"name", "uscc", "org_code", "reg_no", "address", "phone", "email", "legal_rep", "region", "kind": "enterprise"} or {"kind": "person", "name", "id_number", "enterprise", "region"}, …], "limit": 5}`

func (a *API) match(c echo.Context) error {
	var req matchRequest
	if err := decodeStrict(c, &req, matchBody); err != nil {
		return err
	}
	if n := a.maxItems(c); len(req.Queries) == 0 || len(req.Queries) > n {
		return badRequest("queries: give 1 to %d queries (got %d)", n, len(req.Queries))
	}
	limit := req.Limit
	if limit == 0 {
		limit = defaultMatchLimit
	}
	if limit < 1 || limit > maxMatchLimit {
		return badRequest("limit: want 1 to %d candidates per query (got %d)", maxMatchLimit, limit)
	}
	// Person queries: the identity number is checked and hashed into the
	// pid here, and never kept, echoed or logged.
	masked := principalOf(c).Role.Masked()
	for i := range req.Queries {
		q := &req.Queries[i]
		if q.Kind != match.KindPerson {
			if q.IDNumber != "" || q.Enterprise != "" {
				return badRequest("queries[%d]: id_number and enterprise belong to a person query; add \"kind\": \"person\" or leave them out", i)
			}
			continue
		}
		if masked {
			return echo.NewHTTPError(http.StatusForbidden, fmt.Sprintf(
				"queries[%d]: kind \"person\": this role sees persons' names masked, so it cannot screen persons (docs/security.md); use an inspector key", i))
		}
		if q.IDNumber != "" {
			if a.opts.Hasher == nil {
				return echo.NewHTTPError(http.StatusServiceUnavailable, "this server has no pid key configured and cannot match identity numbers; set RISKGRAPH_PID_KEY")
			}
			norm, p := models.CheckIDNumber(q.IDNumber, models.DateOf(a.opts.Now()))
			if p != nil {
				return badRequest("queries[%d]: id_number: %s; %s", i, p.Reason, p.Fix)
			}
			q.PID, q.IDNumber = a.opts.Hasher.FromIDNumber(norm), ""
		}
	}
	ctx := c.Request().Context()
	gen, err := a.matcher.Current(ctx, a.store)
	if err != nil {
		return err
	}
	view := matchView{Threshold: match.Threshold, Generation: gen, Results: make([]matchResult, len(req.Queries))}
	// The queries of a batch are scored in parallel (readers share the
	// index's lock); the first refused query (the lowest index) decides the 400.
	errs := make([]error, len(req.Queries))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(req.Queries)) {
		wg.Go(func() {
			for i := range next {
				cands, err := a.matcher.Match(req.Queries[i], limit)
				if cands == nil {
					cands = []match.Candidate{}
				}
				view.Results[i], errs[i] = matchResult{Query: i, Candidates: cands}, err
			}
		})
	}
	for i := range req.Queries {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	var ents []string
	for i, err := range errs {
		switch {
		case errors.Is(err, match.ErrNoFeature), errors.Is(err, match.ErrNoPersonFeature), errors.Is(err, match.ErrKind):
			return badRequest("queries[%d]: %v", i, err)
		case err != nil:
			return err
		}
		for _, cd := range view.Results[i].Candidates {
			if !cd.Match {
				continue
			}
			if cd.Kind == match.KindPerson {
				ents = append(ents, models.PersonRef(cd.Key).String())
			} else {
				ents = append(ents, models.EnterpriseRef(cd.Key).String())
			}
		}
	}
	c.Set(ctxEntities, ents)
	return a.reply(c, http.StatusOK, view)
}
