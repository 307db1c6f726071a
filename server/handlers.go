package server

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"riskgraph/credit"
	"riskgraph/models"
	"riskgraph/store"
)

// maxSearchDepth bounds offset+limit of a search (the store reads that
// many hits); the route's offset and limit declare the rest.
const maxSearchDepth = 1000

func badRequest(format string, args ...any) error {
	return echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf(format, args...))
}

// enterpriseKey turns a path or query value into an enterprise key: a
// source key ("src:…") as given, anything else must be a valid USCC.
func enterpriseKey(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if strings.HasPrefix(raw, "src:") {
		return raw, nil
	}
	code, err := models.ParseUSCC(raw)
	if err != nil {
		return "", badRequest("%v; or give a source key of the form src:<source>:<id>", err)
	}
	return string(code), nil
}

// personPID checks the shape of a pid (32 lower-case hex characters).
func personPID(raw string) (string, error) {
	pid := strings.ToLower(strings.TrimSpace(raw))
	if len(pid) != 32 || strings.Trim(pid, "0123456789abcdef") != "" {
		if idNumberLike.MatchString(raw) {
			// Never repeat what looks like an identity number.
			return "", badRequest("pid: this looks like an identity number; give the 32-character hex pid riskgraph shows for a person, or search by name")
		}
		return "", badRequest("pid %q: want the 32-character hex pid riskgraph shows for a person (never an identity number)", clip(raw))
	}
	return pid, nil
}

// parseRef reads "person:<pid>", "enterprise:<key>" or a bare enterprise key/USCC.
func parseRef(raw string) (models.Ref, error) {
	if pid, ok := strings.CutPrefix(raw, "person:"); ok {
		p, err := personPID(pid)
		return models.PersonRef(p), err
	}
	raw = strings.TrimPrefix(raw, "enterprise:")
	k, err := enterpriseKey(raw)
	return models.EnterpriseRef(k), err
}

// typesParam reads a comma-separated list of relationship types.
func typesParam(c echo.Context) ([]models.RelType, error) {
	s := c.QueryParam("types")
	if s == "" {
		return nil, nil
	}
	var out []models.RelType
	for _, part := range strings.Split(s, ",") {
		t, err := models.ParseRelType(part)
		if err != nil {
			return nil, badRequest("types: %v", err)
		}
		out = append(out, t)
	}
	return out, nil
}

// enterpriseProfile is the enterprise endpoint's body.
type enterpriseProfile struct {
	Enterprise models.Enterprise `json:"enterprise"`
	Region     *regionView       `json:"region,omitempty"`
	Code       *codeView         `json:"code,omitempty"`
	// Records are the newest; RecordsTotal counts all (page with /records).
	Records      []models.Record `json:"records"`
	RecordsTotal int             `json:"records_total"`
	// RecordLife is the state today of each record shown, by id: polarity,
	// whether it counts, when and why it stopped, under objection.
	RecordLife []credit.RecordState `json:"record_life"`
	// Commitments are its credit commitments with their breaches today.
	Commitments []credit.CommitmentView `json:"commitments"`
}

type regionView struct {
	Code     string `json:"code"`
	Level    string `json:"level"`
	Province string `json:"province,omitempty"`
	City     string `json:"city,omitempty"`
	County   string `json:"county,omitempty"`
}

type codeView struct {
	Authority    string `json:"authority"`
	Category     string `json:"category"`
	Division     string `json:"division"`
	Organisation string `json:"organisation_code"`
}

func (a *API) enterprise(c echo.Context) error {
	key, err := enterpriseKey(c.Param("key"))
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	e, err := a.store.Enterprise(ctx, key)
	if err != nil {
		return err
	}
	recs, err := a.store.Records(ctx, e.Ref())
	if err != nil {
		return err
	}
	p := enterpriseProfile{Enterprise: e, Records: nonNil(recs[:min(len(recs), profileRecords)]), RecordsTotal: len(recs)}
	if p.RecordLife, err = a.lifeList(ctx, p.Records); err != nil {
		return err
	}
	if p.Commitments, err = a.checker().Commitments(ctx, e.Ref(), models.ChinaDate(a.opts.Now())); err != nil {
		return err
	}
	if e.Region != "" {
		r := models.LookupRegion(e.Region)
		p.Region = &regionView{Code: e.Region, Level: r.Level.String(), Province: r.Province, City: r.City, County: r.County}
	}
	if code, err := models.ParseUSCC(e.USCC); err == nil {
		p.Code = &codeView{Authority: code.AuthorityName(), Category: code.CategoryName(), Division: code.Division(), Organisation: code.OrgCode()}
	}
	return a.reply(c, http.StatusOK, p)
}

func (a *API) person(c echo.Context) error {
	pid, err := personPID(c.Param("pid"))
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	p, err := a.store.Person(ctx, pid)
	if err != nil {
		return err
	}
	recs, err := a.store.Records(ctx, p.Ref())
	if err != nil {
		return err
	}
	life, err := a.lifeList(ctx, recs)
	if err != nil {
		return err
	}
	return a.reply(c, http.StatusOK, personView{Person: p, Records: nonNil(recs), RecordLife: life})
}

func (a *API) network(c echo.Context) error {
	var root models.Ref
	var err error
	if c.Param("pid") != "" {
		var pid string
		pid, err = personPID(c.Param("pid"))
		root = models.PersonRef(pid)
	} else {
		var key string
		key, err = enterpriseKey(c.Param("key"))
		root = models.EnterpriseRef(key)
	}
	if err != nil {
		return err
	}
	ints, err := a.intQueries(c, "depth", "limit")
	if err != nil {
		return err
	}
	depth, limit := ints[0], ints[1]
	types, err := typesParam(c)
	if err != nil {
		return err
	}
	g, err := store.Neighbourhood(c.Request().Context(), a.store, root, depth, types, limit)
	if err != nil {
		return err
	}
	g.Nodes, g.Edges = nonNil(g.Nodes), nonNil(g.Edges)
	return a.reply(c, http.StatusOK, g)
}

func (a *API) paths(c echo.Context) error {
	if c.QueryParam("from") == "" || c.QueryParam("to") == "" {
		return badRequest("give both from and to: an enterprise USCC or key, or person:<pid>")
	}
	from, err := parseRef(c.QueryParam("from"))
	if err != nil {
		return err
	}
	to, err := parseRef(c.QueryParam("to"))
	if err != nil {
		return err
	}
	ints, err := a.intQueries(c, "max_depth", "limit")
	if err != nil {
		return err
	}
	depth, limit := ints[0], ints[1]
	types, err := typesParam(c)
	if err != nil {
		return err
	}
	switch c.QueryParam("mode") {
	case "", "all":
	case "shortest":
		limit = 1
	default:
		return badRequest("mode=%q: use all (every shortest path, up to limit) or shortest (one)", c.QueryParam("mode"))
	}
	ps, err := store.ShortestPaths(c.Request().Context(), a.store, from, to, depth, types, limit)
	if err != nil {
		return err
	}
	return a.reply(c, http.StatusOK, pathsView{From: from, To: to, MaxDepth: depth, Paths: nonNil(ps)})
}

func (a *API) search(c echo.Context) error {
	q := strings.TrimSpace(c.QueryParam("q"))
	if q == "" {
		return badRequest("q is empty: give part of a name (two characters or more) or a USCC")
	}
	if len([]rune(q)) > 100 {
		return badRequest("q is %d characters long; use at most 100", len([]rune(q)))
	}
	ints, err := a.intQueries(c, "limit", "offset")
	if err != nil {
		return err
	}
	limit, offset := ints[0], ints[1]
	if offset+limit > maxSearchDepth {
		return badRequest("offset=%d: use a whole number from 0 to %d with limit=%d (offset + limit at most %d)", offset, maxSearchDepth-limit, limit, maxSearchDepth)
	}
	// The store ranks by relevance, then name and reference: a stable order,
	// so a page is the slice [offset, offset+limit) of the first hits.
	var hits []store.Hit
	if principalOf(c).Role.Masked() {
		hits, err = a.searchEnterprises(c, q, offset+limit)
	} else {
		hits, err = a.store.Search(c.Request().Context(), q, offset+limit)
	}
	if err != nil {
		return err
	}
	hits = hits[min(offset, len(hits)):]
	return a.reply(c, http.StatusOK, searchView{Q: q, Offset: offset, Limit: limit, Hits: nonNil(hits)})
}

// maxMaskedSearch bounds the store hits read to fill a page of enterprise
// hits for a masked role.
const maxMaskedSearch = 10 * maxSearchDepth

// searchEnterprises is search for roles that see persons' names masked:
// enterprise hits only. A person hit would tell such a caller that the
// real name contains q — by being there at all, and by its score (1 for
// the exact name, 0.8 for a prefix) — so guessing names would reveal them.
// Persons found by name are left out, and the store is asked again for
// more when they took places of the first n.
func (a *API) searchEnterprises(c echo.Context, q string, n int) ([]store.Hit, error) {
	ask := n
	for {
		hits, err := a.store.Search(c.Request().Context(), q, ask)
		if err != nil {
			return nil, err
		}
		ents := hits[:0:0]
		for _, h := range hits {
			if h.Ref.Kind == models.KindEnterprise {
				ents = append(ents, h)
			}
		}
		if len(ents) >= n || len(hits) < ask || ask >= maxMaskedSearch {
			return ents[:min(n, len(ents))], nil
		}
		ask = min(2*ask, maxMaskedSearch)
	}
}

// nonNil makes empty lists encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
