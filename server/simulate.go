package server

import (
	"net/http"
	"runtime"

	"github.com/labstack/echo/v4"

	"riskgraph/credit"
	"riskgraph/engine"
)

// Policy simulation (docs/credit-checks.md, "Policy simulation"): POST
// /credit-checks:simulate answers, without storing any check, how a
// candidate catalogue would change the verdicts, or changed grade
// thresholds the grades.

const (
	simulatePath = `/api/v1/credit-checks\:simulate`
	simulateBody = `{"catalogue": "<the candidate catalogue, YAML or JSON text>", "as_of": "YYYY-MM-DD" (optional), "samples": 5 (per scenario, optional)} or {"grades": {"b": 0.02, "c": 0.1, "d": 0.25}}`
	maxSamples   = 100
)

type simulateRequest struct {
	Catalogue *string             `json:"catalogue"`
	Grades    *engine.GradeParams `json:"grades"`
	AsOf      string              `json:"as_of"`
	Samples   int                 `json:"samples"`
}

// simulationView answers a simulation: of a catalogue or of grades.
type simulationView struct {
	Catalogue *credit.Simulation      `json:"catalogue,omitempty"`
	Grades    *credit.GradeSimulation `json:"grades,omitempty"`
}

func (a *API) simulate(c echo.Context) error {
	var req simulateRequest
	if err := decodeStrict(c, &req, simulateBody); err != nil {
		return err
	}
	if (req.Catalogue == nil) == (req.Grades == nil) {
		return badRequest("give either catalogue (a candidate measures catalogue) or grades (candidate thresholds), not both or neither")
	}
	if req.Samples < 0 || req.Samples > maxSamples {
		return badRequest("samples: 0 to %d per scenario (got %d)", maxSamples, req.Samples)
	}
	ctx := c.Request().Context()
	var latest *engine.Result
	if a.opts.Engine != nil {
		latest = a.opts.Engine.Get()
	}
	if req.Grades != nil {
		g := *req.Grades
		if !(0 < g.B && g.B < g.C && g.C < g.D && g.D <= 1) {
			return badRequest("grades b=%v c=%v d=%v: use 0 < b < c < d <= 1", g.B, g.C, g.D)
		}
		if latest == nil {
			return echo.NewHTTPError(http.StatusConflict, "no engine result to regrade yet: run the engine (POST /api/v1/runs) first")
		}
		gs := credit.SimulateGrades(latest, g, req.Samples)
		return a.reply(c, http.StatusOK, simulationView{Grades: &gs})
	}
	cand, err := credit.Parse("catalogue", []byte(*req.Catalogue))
	if err != nil {
		return badRequest("catalogue: %s", err.Error())
	}
	asOf, err := a.asOfParam(req.AsOf)
	if err != nil {
		return err
	}
	var g *engine.Graph
	if latest != nil {
		g = latest.Graph
	} else if g, err = engine.Project(ctx, a.store); err != nil {
		return err
	}
	sim, err := a.checker().Simulate(ctx, credit.SimulateOptions{Current: a.catalogue(), Candidate: cand, AsOf: asOf, Graph: g,
		Workers: runtime.GOMAXPROCS(0), Samples: req.Samples})
	if err != nil {
		return err
	}
	return a.reply(c, http.StatusOK, simulationView{Catalogue: &sim})
}
