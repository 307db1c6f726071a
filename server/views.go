package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"riskgraph/engine"
	"riskgraph/models"
	"riskgraph/ranking"
	"riskgraph/store"
)

// profileRecords is how many of the newest records an enterprise profile
// shows. Query parameters' defaults and bounds are on the routes (routes.go).
const profileRecords = 20

// subject reads the entity of a :key or :pid route.
func subject(c echo.Context) (models.Ref, error) {
	if c.Param("pid") != "" {
		pid, err := personPID(c.Param("pid"))
		return models.PersonRef(pid), err
	}
	key, err := enterpriseKey(c.Param("key"))
	return models.EnterpriseRef(key), err
}

// page is a paged list's envelope.
type page[T any] struct {
	Items  []T `json:"items"`
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
	Total  int `json:"total"`
}

func pageOf[T any](all []T, offset, limit int) page[T] {
	lo, hi := min(offset, len(all)), min(offset+limit, len(all))
	return page[T]{Items: nonNil(all[lo:hi]), Offset: offset, Limit: limit, Total: len(all)}
}

// records answers /enterprises/:key/records and /persons/:pid/records.
func (a *API) records(c echo.Context) error {
	ref, err := subject(c)
	if err != nil {
		return err
	}
	ints, err := a.intQueries(c, "offset", "limit")
	if err != nil {
		return err
	}
	offset, limit := ints[0], ints[1]
	ctx := c.Request().Context()
	if ref.Kind == models.KindEnterprise {
		e, err := a.store.Enterprise(ctx, ref.Key)
		if err != nil {
			return err
		}
		ref = e.Ref()
	} else if _, err := a.store.Person(ctx, ref.Key); err != nil {
		return err
	}
	recs, err := a.store.Records(ctx, ref)
	if err != nil {
		return err
	}
	pg := pageOf(recs, offset, limit)
	life, err := a.lifeList(ctx, pg.Items)
	if err != nil {
		return err
	}
	return a.reply(c, http.StatusOK, recordsView{Subject: ref, Records: pg, RecordLife: life})
}

// batchRequest is the body of POST /enterprises:batch.
type batchRequest struct {
	Keys []string `json:"keys" jsonschema:"required,minItems=1,maxItems=1000"`
}

// batch looks up to the route's MaxItems enterprises; unknown or invalid keys are listed
// apart, in request order.
func (a *API) batch(c echo.Context) error {
	var req batchRequest
	if err := decodeStrict(c, &req, `{"keys": ["<USCC or src:key>", …]}`); err != nil {
		return err
	}
	if n := a.maxItems(c); len(req.Keys) == 0 || len(req.Keys) > n {
		return badRequest("keys: give 1 to %d keys (got %d)", n, len(req.Keys))
	}
	found := []models.Enterprise{}
	missing := []batchMiss{}
	var ents []string
	ctx := c.Request().Context()
	for _, raw := range req.Keys {
		key, err := enterpriseKey(raw)
		if err != nil {
			missing = append(missing, batchMiss{clip(raw), "invalid key"})
			continue
		}
		ents = append(ents, "enterprise:"+key)
		e, err := a.store.Enterprise(ctx, key)
		switch {
		case err == nil:
			found = append(found, e)
		case isNotFound(err):
			missing = append(missing, batchMiss{key, "not found"})
		default:
			return err
		}
	}
	c.Set(ctxEntities, ents)
	return a.reply(c, http.StatusOK, batchView{Enterprises: found, Missing: missing})
}

func jsonProblem(err error) string {
	if se, ok := err.(*json.SyntaxError); ok {
		return fmt.Sprintf("invalid JSON at byte %d", se.Offset)
	}
	return err.Error()
}

// ownership answers the penetration tree (store.Ownership): direction up
// follows holders, down follows holdings, breadth first to depth levels and
// at most limit nodes (truncated is then true).
func (a *API) ownership(c echo.Context) error {
	key, err := enterpriseKey(c.Param("key"))
	if err != nil {
		return err
	}
	dir := c.QueryParam("direction")
	if dir == "" {
		dir = "up"
	}
	if dir != "up" && dir != "down" {
		return badRequest("direction=%q: use up (holders) or down (holdings)", dir)
	}
	ints, err := a.intQueries(c, "depth", "limit")
	if err != nil {
		return err
	}
	depth, limit := ints[0], ints[1]
	ctx := c.Request().Context()
	e, err := a.store.Enterprise(ctx, key)
	if err != nil {
		return err
	}
	t, err := store.Ownership(ctx, a.store, store.EnterpriseNode(e), dir == "up", depth, limit)
	if err != nil {
		return err
	}
	return a.reply(c, http.StatusOK, ownershipView{Root: t.Root, Direction: dir, Depth: depth, Nodes: t.Nodes, Truncated: t.Truncated})
}

// group answers the control group (store.ControlGroupOf) under the control
// rule of the latest engine run (its ownership.control_threshold, the
// default parameters before any run), up to limit members.
func (a *API) group(c echo.Context) error {
	key, err := enterpriseKey(c.Param("key"))
	if err != nil {
		return err
	}
	limit, err := a.intQuery(c, "limit")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	e, err := a.store.Enterprise(ctx, key)
	if err != nil {
		return err
	}
	rule := a.controlRule()
	g, err := store.ControlGroupOf(ctx, a.store, store.EnterpriseNode(e), rule, limit)
	if err != nil {
		return err
	}
	return a.reply(c, http.StatusOK, groupView{Root: g.Root, Threshold: rule.Threshold, Members: g.Members, Edges: g.Edges, Truncated: g.Truncated})
}

// controlRule is the engine's definition of control: the latest run's
// threshold, the default one before any run; holdings in force today.
func (a *API) controlRule() store.ControlRule {
	threshold := engine.DefaultParams().Ownership.ControlThreshold
	if a.opts.Engine != nil {
		if res := a.opts.Engine.Get(); res != nil {
			threshold = res.Params.Ownership.ControlThreshold
		}
	}
	return store.ControlRule{Threshold: threshold, Today: models.ChinaDate(a.opts.Now())}
}

// rankVersion returns the cache version string and run for rankings.
func (a *API) rankVersion(c echo.Context) (string, string, error) {
	v, err := a.versions.get(c.Request().Context())
	if err != nil {
		return "", "", err
	}
	return fmt.Sprintf("%d:%s", v.gen, v.run), v.run, nil
}

// ranking answers the top-risk ranking.
func (a *API) ranking(c echo.Context) error {
	f := ranking.Filter{Region: c.QueryParam("region"), Industry: c.QueryParam("industry"),
		Grade: strings.ToUpper(c.QueryParam("grade")), Flag: c.QueryParam("flag")}
	if err := ranking.ValidateFilter(f); err != nil {
		return badRequest("%v", err)
	}
	ints, err := a.intQueries(c, "offset", "limit")
	if err != nil {
		return err
	}
	offset, limit := ints[0], ints[1]
	ver, run, err := a.rankVersion(c)
	if err != nil {
		return err
	}
	items, total, source, err := a.rank.Top(c.Request().Context(), ver, run, f, offset, limit)
	if err != nil {
		return err
	}
	return a.reply(c, http.StatusOK, rankingView{Run: run, Source: source,
		Ranking: page[ranking.Entry]{Items: nonNil(items), Offset: offset, Limit: limit, Total: total}})
}

// stats answers the score distribution and grade counts.
func (a *API) stats(c echo.Context) error {
	by := c.QueryParam("by")
	if by == "" || by == "region" {
		by = "province"
	}
	if by != "province" && by != "city" && by != "industry" {
		return badRequest("by=%q: use region (province), city or industry", by)
	}
	f := ranking.Filter{Region: c.QueryParam("region"), Industry: c.QueryParam("industry"),
		Grade: strings.ToUpper(c.QueryParam("grade")), Flag: c.QueryParam("flag")}
	if err := ranking.ValidateFilter(f); err != nil {
		return badRequest("%v", err)
	}
	ver, run, err := a.rankVersion(c)
	if err != nil {
		return err
	}
	ix, err := a.rank.Index(c.Request().Context(), ver)
	if err != nil {
		return err
	}
	return a.reply(c, http.StatusOK, statsView{Run: run, By: by, Groups: ix.Stats(by, f)})
}

// flags answers the flags feed: flagged entities of the current run when
// it finished at or after since.
func (a *API) flags(c echo.Context) error {
	ints, err := a.intQueries(c, "offset", "limit")
	if err != nil {
		return err
	}
	offset, limit := ints[0], ints[1]
	var since time.Time
	if s := c.QueryParam("since"); s != "" {
		if since, err = time.Parse(time.RFC3339, s); err != nil {
			return badRequest("since=%q: use an RFC 3339 time such as 2026-11-28T08:00:00+08:00", s)
		}
	}
	flag := c.QueryParam("flag")
	if len(flag) > 64 {
		return badRequest("flag is %d characters long; use at most 64", len(flag))
	}
	ver, run, err := a.rankVersion(c)
	if err != nil {
		return err
	}
	body := flagsView{Run: run, Since: c.QueryParam("since"), Flags: page[ranking.Entry]{Items: []ranking.Entry{}, Offset: offset, Limit: limit}}
	if run == "" {
		return a.reply(c, http.StatusOK, body)
	}
	r, err := a.store.Run(c.Request().Context(), run)
	if err != nil {
		return err
	}
	body.RunFinished = &r.Finished
	if r.Finished.Before(since) {
		return a.reply(c, http.StatusOK, body)
	}
	ix, err := a.rank.Index(c.Request().Context(), ver)
	if err != nil {
		return err
	}
	items, total := ix.Flagged(flag, offset, limit)
	body.Flags = page[ranking.Entry]{Items: items, Offset: offset, Limit: limit, Total: total}
	return a.reply(c, http.StatusOK, body)
}

// runs lists engine runs, newest first.
func (a *API) runs(c echo.Context) error {
	limit, err := a.intQuery(c, "limit")
	if err != nil {
		return err
	}
	rs, err := a.store.Runs(c.Request().Context(), limit)
	if err != nil {
		return err
	}
	return a.reply(c, http.StatusOK, runsView{Runs: nonNil(rs)})
}

// run answers one engine run.
func (a *API) run(c echo.Context) error {
	id := c.Param("id")
	if len(id) > 128 {
		return badRequest("run id is %d characters long; use at most 128", len(id))
	}
	r, err := a.store.Run(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return a.reply(c, http.StatusOK, r)
}

// triggerRun starts an engine run (admin).
func (a *API) triggerRun(c echo.Context) error {
	if a.opts.Runs == nil {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "this server cannot start engine runs; run riskgraph score")
	}
	id, err := a.opts.Runs.StartRun(c.Request().Context())
	if errors.Is(err, ErrRunInProgress) {
		return echo.NewHTTPError(http.StatusConflict,
			fmt.Sprintf("engine run %s is in progress; start another once it has finished (GET /api/v1/runs/%s)", id, id))
	}
	if err != nil {
		return err
	}
	return a.reply(c, http.StatusAccepted, runStarted{Run: id, Status: store.RunRunning, Detail: "/api/v1/runs/" + id})
}

// keyView is an API key as listed: never the key or its hash.
type keyView struct {
	ID      string    `json:"id"`
	Name    string    `json:"name" mask:"name"` // who or what uses the key: may be a person
	Role    string    `json:"role"`
	Created time.Time `json:"created"`
	Revoked time.Time `json:"revoked,omitzero"`
}

// listKeys lists API keys (admin).
func (a *API) listKeys(c echo.Context) error {
	ks, err := a.store.Keys(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]keyView, len(ks))
	for i, k := range ks {
		out[i] = keyView{ID: k.ID, Name: k.Name, Role: k.Role, Created: k.Created, Revoked: k.Revoked}
	}
	return a.reply(c, http.StatusOK, keysView{Keys: out})
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
