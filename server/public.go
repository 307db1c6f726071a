package server

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"riskgraph/models"
	"riskgraph/ratelimit"
	"riskgraph/store"
)

// Public disclosure (docs/credit-checks.md, "Public disclosure"): GET
// /public/v1/enterprises/{uscc} needs no key. It shows an enterprise's
// name, status and registration facts and only the records of the kinds
// the catalogue marks public (the abnormal-operations and
// serious-violation lists by default) that are in force today — never a
// person, a score, a flag or a network. It is limited per client address
// (PublicRateLimit; X-Forwarded-For is believed only from TrustedProxies),
// and, having no caller to name, is counted in the metrics rather than
// audited.

// publicPrefix is where the public routes live (outside /api/v1).
const publicPrefix = "/public/v1"

// publicEnterprise is the public page of an enterprise. It declares every
// field it shows; nothing of the graph beyond the enterprise's own
// registration and its public records.
type publicEnterprise struct {
	USCC        string         `json:"uscc"`
	Name        string         `json:"name" mask:"public"` // the registered name
	Status      models.Status  `json:"status"`
	Kind        string         `json:"kind,omitempty"`
	Established models.Date    `json:"established"`
	Capital     float64        `json:"capital,omitempty"`
	Currency    string         `json:"currency,omitempty"`
	Region      *regionView    `json:"region,omitempty"`
	Industry    string         `json:"industry,omitempty"`
	Address     string         `json:"address,omitempty"`
	AsOf        models.Date    `json:"as_of"`
	Records     []publicRecord `json:"records"`
}

// publicRecord is a record in force of a public kind.
type publicRecord struct {
	Kind           string      `json:"kind"`
	Zh             string      `json:"zh,omitempty"`
	En             string      `json:"en,omitempty"`
	Authority      string      `json:"authority,omitempty"`
	DocNo          string      `json:"doc_no,omitempty"`
	Decided        models.Date `json:"decided"`
	PublishedUntil models.Date `json:"published_until"`
	UnderObjection bool        `json:"under_objection"`
}

func (a *API) newPublicLimiter() ratelimit.Limiter {
	return a.newLimiterOf(a.opts.PublicRateLimit, a.opts.PublicRateWindow, "rg:rlp:")
}

// publicLimit refuses a client address over its public limit (429).
func (a *API) publicLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if a.publicLimiter == nil {
			return next(c)
		}
		d, err := a.publicLimiter.Allow(c.Request().Context(), clientID(c))
		if err != nil {
			return next(c)
		}
		h := c.Response().Header()
		h.Set("X-RateLimit-Limit", strconv.Itoa(d.Limit))
		h.Set("X-RateLimit-Remaining", strconv.Itoa(d.Remaining))
		if !d.Allowed {
			secs := int((d.RetryAfter + time.Second - 1) / time.Second)
			h.Set("Retry-After", strconv.Itoa(secs))
			a.m.RateLimited.WithLabelValues("public").Inc()
			return echo.NewHTTPError(http.StatusTooManyRequests,
				fmt.Sprintf("rate limit of %d requests per %v for this address reached; retry in %d s", d.Limit, a.opts.PublicRateWindow, secs))
		}
		return next(c)
	}
}

// publicEnterprisePage answers GET /public/v1/enterprises/{uscc}.
func (a *API) publicEnterprisePage(c echo.Context) error {
	raw := strings.TrimSpace(c.Param("uscc"))
	code, err := models.ParseUSCC(raw)
	if err != nil {
		return badRequest("uscc: give an enterprise's 18-character unified social credit code (%s)", err.Error())
	}
	ctx := c.Request().Context()
	e, err := a.store.Enterprise(ctx, string(code))
	if err != nil || e.Placeholder {
		if err == nil || errors.Is(err, store.ErrNotFound) {
			return echo.NewHTTPError(http.StatusNotFound, "no enterprise with this unified social credit code")
		}
		return err
	}
	recs, err := a.store.Records(ctx, e.Ref())
	if err != nil {
		return err
	}
	cat := a.catalogue()
	today := models.ChinaDate(a.opts.Now())
	var public []models.Record
	for _, r := range recs {
		if cat.Public(r.Kind) {
			public = append(public, r)
		}
	}
	life, err := a.recordLife(ctx, public)
	if err != nil {
		return err
	}
	p := publicEnterprise{USCC: e.USCC, Name: e.Name, Status: e.Status, Kind: string(e.Kind), Established: e.Established,
		Capital: e.Capital, Currency: e.Currency, Industry: e.Industry, Address: e.Address, AsOf: today, Records: []publicRecord{}}
	if e.Region != "" {
		r := models.LookupRegion(e.Region)
		p.Region = &regionView{Code: e.Region, Level: r.Level.String(), Province: r.Province, City: r.City, County: r.County}
	}
	for _, r := range public {
		st := life[r.ID]
		if !st.Counts {
			continue
		}
		pr := publicRecord{Kind: string(r.Kind), Authority: r.Authority, DocNo: r.DocNo, Decided: r.Decided,
			PublishedUntil: st.PublishedUntil, UnderObjection: st.UnderObjection != nil}
		if k := cat.Kind(r.Kind); k != nil {
			pr.Zh, pr.En = k.Zh, k.En
		}
		p.Records = append(p.Records, pr)
	}
	return c.JSON(http.StatusOK, p)
}
