package server

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"sync"

	"github.com/labstack/echo/v4"

	"riskgraph/match"
	"riskgraph/models"
)

// POST /match: screening queries against the stored enterprises
// (docs/matching.md). The candidate index (match.Index) is built from one
// store scan the first time a query arrives for a data generation, and
// reused until the generation changes: writes bump the generation, so a
// query never sees an index older than the data it was asked against.
// Building holds a mutex, so concurrent first queries wait for one build
// instead of scanning the store each.

// maxMatchQueries bounds POST /match (its row's MaxItems).
const maxMatchQueries = 1000

// Default and bound of POST /match's limit (candidates per query).
const (
	defaultMatchLimit = 5
	maxMatchLimit     = 50
)

// matcher holds the index of the newest generation built.
type matcher struct {
	mu  sync.Mutex
	gen uint64
	ix  *match.Index
}

// matchRequest is POST /match's body.
type matchRequest struct {
	Queries []match.Query `json:"queries"`
	Limit   int           `json:"limit"`
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

const matchBody = `{"queries": [{"name", "uscc", "org_code", "reg_no", "address", "phone", "email", "legal_rep", "region", "kind": "enterprise"}, …], "limit": 5}`

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
	ctx := c.Request().Context()
	ix, gen, err := a.matchIndex(ctx)
	if err != nil {
		return err
	}
	view := matchView{Threshold: match.Threshold, Generation: gen, Results: make([]matchResult, len(req.Queries))}
	// The queries of a batch are scored in parallel (the index is read-only
	// once built); the first refused query (the lowest index) decides the 400.
	errs := make([]error, len(req.Queries))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(req.Queries)) {
		wg.Go(func() {
			for i := range next {
				cands, err := ix.Match(req.Queries[i], limit)
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
		case errors.Is(err, match.ErrNoFeature), errors.Is(err, match.ErrKind):
			return badRequest("queries[%d]: %v", i, err)
		case err != nil:
			return err
		}
		for _, cd := range view.Results[i].Candidates {
			if cd.Match {
				ents = append(ents, models.EnterpriseRef(cd.Key).String())
			}
		}
	}
	c.Set(ctxEntities, ents)
	return a.reply(c, http.StatusOK, view)
}

// matchIndex returns the index of the current data generation, building
// it when there is none yet or the data changed.
func (a *API) matchIndex(ctx context.Context) (*match.Index, uint64, error) {
	gen, err := a.store.Generation(ctx)
	if err != nil {
		return nil, 0, err
	}
	m := &a.matcher
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ix != nil && m.gen == gen {
		return m.ix, gen, nil
	}
	ix, err := match.FromStore(ctx, a.store)
	if err != nil {
		return nil, 0, err
	}
	m.ix, m.gen = ix, gen
	return ix, gen, nil
}
