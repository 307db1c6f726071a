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
	Stored       *models.Risk              `json:"stored,omitempty"` // the promoted result in the store
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
		ex := res.Explain(v)
		body := riskView{Key: e.Key, Today: res.Today.Date().String(), Score: res.Score[v], Grade: res.Grade[v],
			Intrinsic: res.Intrinsic.Risk[v], Flags: nonNil(res.FindingViews(v, 50)),
			Contributors: nonNil(res.View(ex, len(ex.Contributions))), Remainder: ex.Remainder, Stored: e.Risk}
		return a.reply(c, http.StatusOK, body)
	}
}

type chainView struct {
	Path  []string `json:"path"` // owner first, "kind:key"
	Share float64  `json:"share"`
}

type ownerView struct {
	Person string      `json:"person"` // pid
	Name   string      `json:"name,omitempty" mask:"name"`
	Share  float64     `json:"share"` // integrated ownership
	Chains []chainView `json:"chains"`
}

type controllerView struct {
	Ref   models.Ref `json:"ref"`
	Name  string     `json:"name,omitempty"` // a person's or an enterprise's (Masked)
	Chain []string   `json:"majority_chain"`
}

// Masked masks the controller's name when it is a person (models/mask.go).
func (v controllerView) Masked() controllerView {
	if v.Ref.Kind == models.KindPerson {
		v.Name = models.MaskName(v.Name)
	}
	return v
}

// owners serves the beneficial owners with their chains and the actual controller.
func owners(a *API, latest *engine.Latest) echo.HandlerFunc {
	return func(c echo.Context) error {
		res, v, e, err := scored(c, a, latest)
		if err != nil {
			return err
		}
		ctx := c.Request().Context()
		g, op := res.Graph, res.Params.Ownership
		var bos []ownerView
		for _, s := range res.Ownership.BeneficialOwners(v) {
			ov := ownerView{Person: g.Keys[s.Person], Share: s.Share, Chains: []chainView{}}
			if p, err := a.store.Person(ctx, ov.Person); err == nil {
				ov.Name = p.Name
			}
			for _, ch := range engine.OwnershipChains(g, s.Person, v, op.MaxChains, op.MaxChainDepth, res.Today) {
				cv := chainView{Share: ch.Share}
				for _, n := range ch.Nodes {
					cv.Path = append(cv.Path, g.Ref(n).String())
				}
				ov.Chains = append(ov.Chains, cv)
			}
			bos = append(bos, ov)
		}
		var ctrl *controllerView
		if u := res.Ownership.Controller[v]; u >= 0 {
			ctrl = &controllerView{Ref: g.Ref(u), Chain: []string{}}
			for _, n := range res.Ownership.MajorityChain(v) {
				ctrl.Chain = append(ctrl.Chain, g.Ref(n).String())
			}
			if g.Kinds[u] == engine.NodePerson {
				if p, err := a.store.Person(ctx, g.Keys[u]); err == nil {
					ctrl.Name = p.Name
				}
			} else if x, err := a.store.Enterprise(ctx, g.Keys[u]); err == nil {
				ctrl.Name = x.Name
			}
		}
		return a.reply(c, http.StatusOK, ownersView{
			Key: e.Key, Today: res.Today.Date().String(),
			BeneficialThreshold: op.BeneficialThreshold, ControlThreshold: op.ControlThreshold,
			BeneficialOwners: nonNil(bos), ActualController: ctrl,
		})
	}
}
