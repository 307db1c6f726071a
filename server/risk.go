package server

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"riskgraph/engine"
	"riskgraph/models"
)

// riskView is the body of GET /api/v1/enterprises/{key}/risk.
type riskView struct {
	Key          string                    `json:"key"`
	Today        string                    `json:"today"`
	Score        float64                   `json:"score"`
	Grade        string                    `json:"grade"`
	Intrinsic    float64                   `json:"intrinsic"`
	Flags        []engine.FindingView      `json:"flags"`
	Contributors []engine.ContributionView `json:"contributions"`
	Remainder    float64                   `json:"remainder"`
	// Unaccounted is the part of the remainder the explanation attributed
	// to no record: each listed amount is at most this much below its exact
	// value (docs/risk-model.md §4).
	Unaccounted float64      `json:"unaccounted"`
	Stored      *models.Risk `json:"stored,omitempty"` // the promoted result in the store
}

// scored resolves the enterprise of the request in the latest result.
func scored(c echo.Context, a *API, latest *engine.Latest) (*engine.Result, int32, models.Enterprise, error) {
	key, err := enterpriseKey(c.Param("key"))
	if err != nil {
		return nil, 0, models.Enterprise{}, err
	}
	e, err := a.store.Enterprise(c.Request().Context(), key)
	if err != nil {
		return nil, 0, e, err
	}
	res := latest.Get()
	if res == nil {
		return nil, 0, e, echo.NewHTTPError(http.StatusServiceUnavailable, "no scoring run has completed yet; run riskgraph score")
	}
	v, ok := res.Graph.Lookup(e.Ref())
	if !ok {
		return nil, 0, e, echo.NewHTTPError(http.StatusNotFound, fmt.Sprintf("enterprise %q was added after the last scoring run; it is scored by the next run", e.Key))
	}
	return res, v, e, nil
}

// risk serves the score, grade, flags with evidence and the explanation.
func risk(a *API, latest *engine.Latest) echo.HandlerFunc {
	return func(c echo.Context) error {
		res, v, e, err := scored(c, a, latest)
		if err != nil {
			return err
		}
		a.adviseHugePages(res)
		ex := res.Explain(v)
		body := riskView{Key: e.Key, Today: res.Today.Date().String(), Score: res.Score[v], Grade: res.Grade[v].String(),
			Intrinsic: res.Intrinsic.Risk[v], Flags: nonNil(res.FindingViews(v, 50)),
			Contributors: nonNil(res.View(ex, len(ex.Contributions))), Remainder: ex.Remainder, Unaccounted: ex.Unaccounted, Stored: e.Risk}
		return a.reply(c, http.StatusOK, body)
	}
}

// adviseHugePages asks, once per result and in the background, for huge
// pages under the arrays its explanations read at random, and takes the
// advice on the result served before back (engine.Result.AdviseHugePages;
// docs/risk-model.md §4 "Huge pages"). One change at a time; a result
// replaced before its turn is never advised.
func (a *API) adviseHugePages(res *engine.Result) {
	if old := a.advised.Load(); old != res && a.advised.CompareAndSwap(old, res) {
		go func() {
			a.adviseMu.Lock()
			defer a.adviseMu.Unlock()
			if a.advised.Load() != res || a.adviseCur == res {
				return // a newer result came meanwhile: its goroutine advises
			}
			if a.adviseCur != nil {
				a.adviseCur.UnadviseHugePages()
			}
			res.AdviseHugePages()
			a.adviseCur = res
		}()
	}
}
