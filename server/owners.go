package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"riskgraph/engine"
	"riskgraph/models"
	"riskgraph/report/bods"
	"riskgraph/store"
)

// ownersView is GET /enterprises/:key/owners: store.BeneficialOwners, the
// one definition (docs/beneficial-owners.md), with the fields the explorer
// read before the 2024 rules (share, chains' share, majority_chain) kept.
type ownersView struct {
	Key                 string       `json:"key"`
	Today               string       `json:"today"`
	BeneficialThreshold float64      `json:"beneficial_threshold"`
	ControlThreshold    float64      `json:"control_threshold"`
	Filing              store.Filing `json:"filing"`
	Fallback            bool         `json:"fallback"`
	Truncated           bool         `json:"truncated"`
	// HeadOffice is the foreign head office of a branch (Art. 8): the
	// owners are its beneficial owners and the branch's senior executives.
	HeadOffice       *models.Ref     `json:"head_office,omitempty"`
	BeneficialOwners []ownerView     `json:"beneficial_owners"`
	ActualController *controllerView `json:"actual_controller"`
}

type chainView struct {
	Path   []string `json:"path"` // owner first, "kind:key"
	Share  float64  `json:"share"`
	Voting float64  `json:"voting"`
	Income float64  `json:"income"`
}

type ownerView struct {
	Person    string            `json:"person"` // pid
	Name      string            `json:"name,omitempty" mask:"name"`
	Criterion store.Criterion   `json:"criterion"`
	Criteria  []store.Criterion `json:"criteria"`
	Share     float64           `json:"share"` // integrated equity
	Voting    float64           `json:"voting"`
	Income    float64           `json:"income"`
	Control   *store.Control    `json:"control,omitempty"`
	Title     string            `json:"title,omitempty"`
	Chains    []chainView       `json:"chains"`
	// ChainsTotal counts every chain; Chains lists the largest
	// (ownership.max_chains).
	ChainsTotal int `json:"chains_total"`
}

type controllerView struct {
	Ref   models.Ref `json:"ref"`
	Name  string     `json:"name,omitempty"` // a person's or an enterprise's (Masked)
	Chain []string   `json:"majority_chain"`
	store.Control
}

// Masked masks the controller's name when it is a person (models/mask.go).
func (v controllerView) Masked() controllerView {
	if v.Ref.Kind == models.KindPerson {
		v.Name = models.MaskName(v.Name)
	}
	return v
}

// ownerRules are the rules' numbers with the thresholds of the last
// scoring run (its ownership parameters), else the defaults, on today's
// date in China.
func ownerRules(a *API, latest *engine.Latest) store.OwnerRules {
	rules := store.DefaultOwnerRules(models.ChinaDate(a.opts.Now()))
	op := engine.DefaultParams().Ownership
	if latest != nil {
		if res := latest.Get(); res != nil {
			op = res.Params.Ownership
		}
	}
	rules.Threshold, rules.ControlThreshold = op.BeneficialThreshold, op.ControlThreshold
	rules.MaxChains, rules.MaxDepth = op.MaxChains, op.MaxChainDepth
	return rules
}

// owners serves the beneficial owners with their criteria and chains, the
// actual controller and the filing status, computed from the store (no
// scoring run needed).
func owners(a *API, latest *engine.Latest) echo.HandlerFunc {
	return func(c echo.Context) error {
		key, err := enterpriseKey(c.Param("key"))
		if err != nil {
			return err
		}
		rules := ownerRules(a, latest)
		o, err := store.BeneficialOwners(c.Request().Context(), a.store, key, rules)
		if err != nil {
			return err
		}
		body := ownersView{Key: o.Enterprise.Key, Today: rules.Today.String(), BeneficialThreshold: rules.Threshold,
			ControlThreshold: rules.ControlThreshold, Filing: o.Filing, Fallback: o.Fallback, Truncated: o.Truncated,
			HeadOffice: o.HeadOffice, BeneficialOwners: []ownerView{}}
		for _, ow := range o.Owners {
			v := ownerView{Person: ow.Person, Name: ow.Name, Criterion: ow.Criterion, Criteria: ow.Criteria, Share: ow.Equity,
				Voting: ow.Voting, Income: ow.Income, Control: ow.Control, Title: ow.Title, Chains: []chainView{}, ChainsTotal: ow.ChainsTotal}
			for _, ch := range ow.Chains {
				v.Chains = append(v.Chains, chainView{Path: ch.Path, Share: ch.Equity, Voting: ch.Voting, Income: ch.Income})
			}
			body.BeneficialOwners = append(body.BeneficialOwners, v)
		}
		if ct := o.Controller; ct != nil {
			body.ActualController = &controllerView{Ref: ct.Ref, Name: ct.Name, Chain: ct.Chain, Control: ct.Control}
			if body.ActualController.Chain == nil {
				body.ActualController.Chain = []string{}
			}
		}
		ents := []string{o.Enterprise.String()}
		for _, ow := range o.Owners {
			ents = append(ents, models.PersonRef(ow.Person).String())
		}
		c.Set(ctxEntities, ents)
		return a.reply(c, http.StatusOK, body)
	}
}

// bodsOf serves the enterprise's declaration as BODS 0.4 statements.
func bodsOf(a *API, latest *engine.Latest) echo.HandlerFunc {
	return func(c echo.Context) error {
		key, err := enterpriseKey(c.Param("key"))
		if err != nil {
			return err
		}
		rules := ownerRules(a, latest)
		sts, err := bods.Declaration(c.Request().Context(), a.store, key, rules,
			bods.Options{Publisher: "riskgraph", Published: rules.Today.String()})
		if err != nil {
			return err
		}
		c.Set(ctxEntities, []string{models.EnterpriseRef(key).String()})
		return a.reply(c, http.StatusOK, sts)
	}
}
