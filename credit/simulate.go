package credit

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"riskgraph/engine"
	"riskgraph/models"
	"riskgraph/store"
)

// Policy simulation (docs/credit-checks.md, "Policy simulation"): before a
// department adopts a new catalogue, how many entities' verdicts would it
// change, in which scenarios, regions and industries, and why? Nothing is
// stored. Only the entities whose check can find anything are evaluated
// (engine.CheckCandidates: a record on the entity or on a party a rule may
// read); each is read once (party, records, credit file) and evaluated
// for every scenario under both catalogues.

// DefaultSamples is the number of sample changes kept per scenario.
const DefaultSamples = 5

// Simulation is the answer of a simulation.
type Simulation struct {
	AsOf      models.Date `json:"as_of"`
	Current   Version     `json:"current"`
	Candidate Version     `json:"candidate"`
	// Evaluated is the number of entities checked; Checks the number of
	// (entity, scenario) pairs evaluated under each catalogue.
	Evaluated int `json:"evaluated"`
	Checks    int `json:"checks"`
	// Changed is the number of entities with at least one changed
	// verdict; Changes the number of changed (entity, scenario) pairs.
	Changed int `json:"changed"`
	Changes int `json:"changes"`
	// Counts of changed pairs per scenario (with the verdict moves),
	// province and industry.
	ByScenario []ScenarioChanges `json:"by_scenario"`
	ByRegion   []Count           `json:"by_region"`
	ByIndustry []Count           `json:"by_industry"`
	// Errors: entities that could not be read (left out of the counts).
	Errors  int   `json:"errors"`
	TookMS  int64 `json:"took_ms"`
	Workers int   `json:"workers"`
}

// ScenarioChanges counts the changes of one scenario and keeps samples.
type ScenarioChanges struct {
	Scenario string         `json:"scenario"`
	Changes  int            `json:"changes"`
	Moves    map[string]int `json:"moves" mask:"public"` // "clear→restricted": n, keyed by verdicts
	Samples  []Change       `json:"samples"`
}

// Count is a number of changes under a name.
type Count struct {
	Name  string `json:"name" mask:"public"` // a province or an industry code
	Count int    `json:"count"`
}

// Change is one entity whose verdict a scenario changes, and why: the
// measures the candidate adds and those it drops ("rule (measure): record
// via relation").
type Change struct {
	Subject  SubjectView `json:"subject"`
	Region   string      `json:"region,omitempty"`
	Industry string      `json:"industry,omitempty"`
	From     string      `json:"from"`
	To       string      `json:"to"`
	Added    []string    `json:"added"`
	Dropped  []string    `json:"dropped"`
	Reason   string      `json:"reason"`
}

// Masked masks a person subject's name.
func (c Change) Masked() Change { c.Subject = c.Subject.Masked(); return c }

// SimulateOptions configure a simulation.
type SimulateOptions struct {
	Current, Candidate *Catalogue
	AsOf               models.Date
	// Graph is a projection of the store (the engine's latest, or
	// engine.Project's) from which the candidates are found.
	Graph            *engine.Graph
	ControlThreshold float64
	Workers          int
	Samples          int // per scenario (default DefaultSamples)
}

// verdictLabel names a verdict with the green channel.
func verdictLabel(r Result) string {
	if r.Incentives {
		return r.Verdict + "+incentives"
	}
	return r.Verdict
}

// Simulate evaluates every candidate under both catalogues.
func (c *Checker) Simulate(ctx context.Context, o SimulateOptions) (Simulation, error) {
	began := time.Now()
	if o.Current == nil || o.Candidate == nil || o.Graph == nil || o.AsOf.IsZero() {
		return Simulation{}, fmt.Errorf("%w: a simulation needs both catalogues, a projection and its day", store.ErrInvalid)
	}
	samples := cmp.Or(o.Samples, DefaultSamples)
	threshold := cmp.Or(o.ControlThreshold, c.ControlThreshold, DefaultControlThreshold)
	g := o.Graph
	nodes := engine.CheckCandidates(g, threshold, engine.DayOf(o.AsOf))
	// The relations either catalogue reads, per subject kind.
	need := map[models.NodeKind]map[string]bool{models.KindEnterprise: {}, models.KindPerson: {}}
	var scenarios []string
	for _, cat := range []*Catalogue{o.Current, o.Candidate} {
		for _, sc := range cat.Scenarios {
			if !slices.Contains(scenarios, sc.ID) {
				scenarios = append(scenarios, sc.ID)
			}
			for _, r := range cat.RulesFor(sc.ID) {
				for _, k := range sc.Subjects {
					for _, v := range r.Via {
						need[models.NodeKind(k)][v] = true
					}
				}
			}
		}
	}
	sim := Simulation{AsOf: o.AsOf, Current: Version{o.Current.Version, o.Current.SHA256}, Candidate: Version{o.Candidate.Version, o.Candidate.SHA256},
		Workers: max(o.Workers, 1)}
	type acc struct {
		checks, changes, changed, errs int
		byScenario                     map[string]*ScenarioChanges
		byRegion, byIndustry           map[string]int
	}
	newAcc := func() *acc {
		return &acc{byScenario: map[string]*ScenarioChanges{}, byRegion: map[string]int{}, byIndustry: map[string]int{}}
	}
	memo := &recordMemo{m: map[models.Ref][]models.Record{}}
	var next atomic.Int64
	accs := make([]*acc, sim.Workers)
	var wg sync.WaitGroup
	var fatal error
	var fatalOnce sync.Once
	for w := range sim.Workers {
		a := newAcc()
		accs[w] = a
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(nodes) || ctx.Err() != nil {
					return
				}
				v := nodes[i]
				ref := g.Ref(v)
				f, err := c.gather(ctx, Request{Subject: ref, AsOf: o.AsOf}, need[ref.Kind], memo)
				if err != nil {
					if errors.Is(err, store.ErrNotFound) {
						a.errs++
						continue
					}
					fatalOnce.Do(func() { fatal = err })
					return
				}
				region, industry := regionOf(g, v), industryOf(g, v)
				changed := false
				for _, id := range scenarios {
					was, now := evaluateIn(o.Current, id, ref.Kind, f, o.AsOf), evaluateIn(o.Candidate, id, ref.Kind, f, o.AsOf)
					if was == nil && now == nil {
						continue
					}
					a.checks++
					from, to := labelOf(was), labelOf(now)
					if from == to {
						continue
					}
					changed = true
					a.changes++
					a.byRegion[region]++
					a.byIndustry[industry]++
					sc := a.byScenario[id]
					if sc == nil {
						sc = &ScenarioChanges{Scenario: id, Moves: map[string]int{}, Samples: []Change{}}
						a.byScenario[id] = sc
					}
					sc.Changes++
					sc.Moves[from+"→"+to]++
					if len(sc.Samples) < samples {
						sc.Samples = append(sc.Samples, changeOf(f.subject, region, industry, was, now, from, to))
					}
				}
				if changed {
					a.changed++
				}
			}
		})
	}
	wg.Wait()
	if fatal != nil {
		return Simulation{}, fatal
	}
	if err := ctx.Err(); err != nil {
		return Simulation{}, err
	}
	total := newAcc()
	for _, a := range accs {
		total.checks += a.checks
		total.changes += a.changes
		total.changed += a.changed
		total.errs += a.errs
		for k, n := range a.byRegion {
			total.byRegion[k] += n
		}
		for k, n := range a.byIndustry {
			total.byIndustry[k] += n
		}
		for id, sc := range a.byScenario {
			t := total.byScenario[id]
			if t == nil {
				t = &ScenarioChanges{Scenario: id, Moves: map[string]int{}, Samples: []Change{}}
				total.byScenario[id] = t
			}
			t.Changes += sc.Changes
			for m, n := range sc.Moves {
				t.Moves[m] += n
			}
			t.Samples = append(t.Samples, sc.Samples...)
		}
	}
	sim.Evaluated, sim.Checks, sim.Changes, sim.Changed, sim.Errors = len(nodes)-total.errs, total.checks, total.changes, total.changed, total.errs
	for _, id := range scenarios {
		if t := total.byScenario[id]; t != nil {
			slices.SortFunc(t.Samples, func(x, y Change) int { return strings.Compare(x.Subject.Ref.String(), y.Subject.Ref.String()) })
			t.Samples = t.Samples[:min(len(t.Samples), samples)]
			sim.ByScenario = append(sim.ByScenario, *t)
		}
	}
	sim.ByRegion, sim.ByIndustry = counts(total.byRegion), counts(total.byIndustry)
	if sim.ByScenario == nil {
		sim.ByScenario = []ScenarioChanges{}
	}
	sim.TookMS = time.Since(began).Milliseconds()
	return sim, nil
}

// evaluateIn evaluates scenario id of cat for a subject of kind k (nil
// when cat has no such scenario for that kind).
func evaluateIn(cat *Catalogue, id string, k models.NodeKind, f *file, asOf models.Date) *Result {
	sc, ok := cat.Scenario(id)
	if !ok || !sc.Checks(k) {
		return nil
	}
	r := evaluate(cat, sc, f, asOf)
	return &r
}

func labelOf(r *Result) string {
	if r == nil {
		return "not checked"
	}
	return verdictLabel(*r)
}

// changeOf describes a change: the measures added and dropped.
func changeOf(s SubjectView, region, industry string, was, now *Result, from, to string) Change {
	key := func(m Applied) string {
		return m.Rule.ID + " (" + m.Measure + "): " + m.Record.ID + " via " + m.Relation
	}
	set := func(r *Result) map[string]bool {
		out := map[string]bool{}
		if r != nil {
			for _, m := range r.Measures {
				out[key(m)] = true
			}
		}
		return out
	}
	a, b := set(was), set(now)
	ch := Change{Subject: s, Region: region, Industry: industry, From: from, To: to, Added: []string{}, Dropped: []string{}}
	for _, k := range slices.Sorted(maps.Keys(b)) {
		if !a[k] {
			ch.Added = append(ch.Added, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(a)) {
		if !b[k] {
			ch.Dropped = append(ch.Dropped, k)
		}
	}
	var parts []string
	if len(ch.Added) > 0 {
		parts = append(parts, "the candidate adds "+strings.Join(ch.Added, ", "))
	}
	if len(ch.Dropped) > 0 {
		parts = append(parts, "the candidate drops "+strings.Join(ch.Dropped, ", "))
	}
	if len(parts) == 0 {
		parts = append(parts, "the same measures apply: only the green channel changed")
	}
	ch.Reason = strings.Join(parts, "; ")
	return ch
}

func regionOf(g *engine.Graph, v int32) string {
	if g.Kinds[v] != engine.NodeEnterprise {
		return "person"
	}
	code := g.Regions[g.Region[v]]
	if code == "" {
		return "unknown"
	}
	if r := models.LookupRegion(code); r.Province != "" {
		return r.Province
	}
	return code
}

func industryOf(g *engine.Graph, v int32) string {
	if g.Kinds[v] != engine.NodeEnterprise {
		return "person"
	}
	if s := g.Industries[g.Industry[v]]; s != "" {
		return s
	}
	return "unknown"
}

func counts(m map[string]int) []Count {
	out := make([]Count, 0, len(m))
	for k, n := range m {
		out = append(out, Count{Name: k, Count: n})
	}
	slices.SortFunc(out, func(a, b Count) int { return cmp.Or(b.Count-a.Count, strings.Compare(a.Name, b.Name)) })
	return out
}

// GradeSimulation answers a simulation of changed grade thresholds on the
// engine's latest scores: how many enterprises' grades would change, per
// move, province and industry, with samples.
type GradeSimulation struct {
	Run        string             `json:"run"`
	Current    engine.GradeParams `json:"current"`
	Candidate  engine.GradeParams `json:"candidate"`
	Evaluated  int                `json:"evaluated"`
	Changes    int                `json:"changes"`
	Moves      map[string]int     `json:"moves" mask:"public"` // keyed by grades
	ByRegion   []Count            `json:"by_region"`
	ByIndustry []Count            `json:"by_industry"`
	Samples    []GradeChange      `json:"samples"`
}

// GradeChange is one enterprise whose grade would change.
type GradeChange struct {
	Ref      models.Ref `json:"ref"`
	Score    float64    `json:"score"`
	From     string     `json:"from"`
	To       string     `json:"to"`
	Region   string     `json:"region,omitempty"`
	Industry string     `json:"industry,omitempty"`
}

// SimulateGrades regrades every enterprise of res with gp.
func SimulateGrades(res *engine.Result, gp engine.GradeParams, samples int) GradeSimulation {
	g := res.Graph
	out := GradeSimulation{Current: res.Params.Grades, Candidate: gp, Moves: map[string]int{}, Samples: []GradeChange{}}
	byRegion, byIndustry := map[string]int{}, map[string]int{}
	samples = cmp.Or(samples, DefaultSamples)
	for v := range int32(g.N()) {
		if g.Kinds[v] != engine.NodeEnterprise {
			continue
		}
		out.Evaluated++
		from, to := res.Grade[v].String(), gp.Grade(res.Score[v])
		if from == to {
			continue
		}
		out.Changes++
		out.Moves[from+"→"+to]++
		region, industry := regionOf(g, v), industryOf(g, v)
		byRegion[region]++
		byIndustry[industry]++
		if len(out.Samples) < samples {
			out.Samples = append(out.Samples, GradeChange{Ref: g.Ref(v), Score: res.Score[v], From: from, To: to, Region: region, Industry: industry})
		}
	}
	out.ByRegion, out.ByIndustry = counts(byRegion), counts(byIndustry)
	return out
}
