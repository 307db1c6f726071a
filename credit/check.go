package credit

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"riskgraph/engine"
	"riskgraph/models"
	"riskgraph/store"
)

// Verdicts, strongest first: the strongest negative measure that applies.
const (
	VerdictProhibited   = "prohibited"
	VerdictRestricted   = "restricted"
	VerdictStrictReview = "strict_review"
	VerdictClear        = "clear"
)

// Verdicts lists every verdict, strongest first.
var Verdicts = []string{VerdictProhibited, VerdictRestricted, VerdictStrictReview, VerdictClear}

// DefaultControlThreshold is the holding above which a shareholder
// controls (store.Controls; the engine's ownership.control_threshold).
const DefaultControlThreshold = 0.5

// maxChain bounds the walk up the chain of controlling shareholders.
const maxChain = 32

// Checker makes credit checks: it finds the subject's related parties in
// the graph, reads their records and applies the catalogue's rules.
type Checker struct {
	Reader store.Reader
	// File is the credit file (objections, repairs, commitments); nil
	// reads none.
	File      engine.LifeSource
	Catalogue *Catalogue
	// ControlThreshold: a holding above it is a controlling one (default
	// DefaultControlThreshold).
	ControlThreshold float64
}

// Request is one check.
type Request struct {
	// Subject is an enterprise (key or USCC) or a person (pid).
	Subject  models.Ref
	Scenario string
	// AsOf is the day the check answers for: records decided after it do
	// not count, records removed on or before it do not count, and
	// relationships count as they stood on it.
	AsOf models.Date
	// Name is the name the caller gave for a person subject; it is shown
	// when the person is not in the graph.
	Name string
}

// ScenarioError is a check for a scenario the catalogue does not have.
type ScenarioError struct {
	Scenario string
	Allowed  []string
}

func (e *ScenarioError) Error() string {
	return fmt.Sprintf("scenario %q is not in the measures catalogue; use one of: %s", e.Scenario, allowed(e.Allowed))
}

// Unwrap makes a ScenarioError a store.ErrInvalid (a 400).
func (e *ScenarioError) Unwrap() error { return store.ErrInvalid }

// Result is what a check found: the part of the answer its evidence hash
// covers (Answer.EvidenceSHA256).
type Result struct {
	Scenario ScenarioView `json:"scenario"`
	AsOf     models.Date  `json:"as_of"`
	Subject  SubjectView  `json:"subject"`
	Verdict  string       `json:"verdict"`
	// Incentives: the verdict is clear, no key-supervision measure
	// applies, and an incentive measure does.
	Incentives bool      `json:"incentives"`
	Measures   []Applied `json:"measures"`
	// Commitments are the subject's credit commitments made by as_of,
	// each with the records that breach it.
	Commitments []CommitmentView `json:"commitments"`
	Catalogue   Version          `json:"catalogue"`
}

// CommitmentView is a credit commitment as a check shows it.
type CommitmentView struct {
	ID         string      `json:"id"`
	Scenario   string      `json:"scenario"`
	Text       string      `json:"text"`
	Date       models.Date `json:"date"`
	ValidUntil models.Date `json:"valid_until"`
	// Breached: a negative record of the subject, still counting, was
	// decided inside the window (the engine's commitment_breached).
	Breached   bool     `json:"breached"`
	BreachedBy []string `json:"breached_by"`
}

// ObjectionMark marks a record under objection (异议) on the day asked
// about: the objection's id and the day it was filed.
type ObjectionMark struct {
	ID    string      `json:"id"`
	Filed models.Date `json:"filed"`
	// Reason is the objection's stated reason, so a reader sees what is
	// disputed without opening the record's history.
	Reason string `json:"reason"`
}

// ScenarioView names a scenario.
type ScenarioView struct {
	ID string `json:"id"`
	Zh string `json:"zh"`
	En string `json:"en"`
}

// Version identifies the catalogue that answered.
type Version struct {
	Version string `json:"version"`
	SHA256  string `json:"sha256"`
}

// SubjectView is the subject as found.
type SubjectView struct {
	Ref    models.Ref    `json:"ref"`
	Name   string        `json:"name"`
	USCC   string        `json:"uscc,omitempty"`
	Status models.Status `json:"status,omitempty"`
	// Found is false for a person the graph does not hold: no records are
	// known of them, nor any relationships.
	Found bool `json:"found"`
}

// Masked masks the subject's name when it is a person (models.MaskName).
func (s SubjectView) Masked() SubjectView {
	if s.Ref.Kind == models.KindPerson {
		s.Name = models.MaskName(s.Name)
	}
	return s
}

// Applied is one measure that applies: by which rule, on which basis,
// because of which record, reached how, until when.
type Applied struct {
	Rule    RuleView `json:"rule"`
	Measure string   `json:"measure"`
	// Relation is whose record it is (self, legal_rep, parent …).
	Relation string        `json:"relation"`
	Basis    []BasisView   `json:"basis"`
	Record   models.Record `json:"record"`
	// Corrected: an upheld objection corrected the record (Record shows it
	// corrected).
	Corrected bool `json:"corrected,omitempty"`
	// UnderObjection: the record is under objection on as_of; it counts
	// until the objection is decided.
	UnderObjection *ObjectionMark `json:"under_objection,omitempty"`
	Path           Path           `json:"path"`
	Period         PeriodView     `json:"period"`
	rank           [3]int         // measure, path length, relation: lower is shown first
}

// RuleView names a rule.
type RuleView struct {
	ID string `json:"id"`
	Zh string `json:"zh,omitempty"`
	En string `json:"en,omitempty"`
}

// BasisView cites a document.
type BasisView struct {
	Number    string `json:"number"`
	Title     string `json:"title"`
	Provision string `json:"provision,omitempty"`
}

// PeriodView says how long the measure applies: Until is the first day
// it no longer does, null while it lasts until an event (the record's
// removal).
type PeriodView struct {
	Kind  string      `json:"kind"`
	Years int         `json:"years,omitempty"`
	Until models.Date `json:"until"`
	Text  string      `json:"text"`
}

// Path is how the record's holder is tied to the subject: Nodes from the
// subject to the holder, Links[i] joining Nodes[i] and Nodes[i+1] (as
// stored: From and To are node ids "kind:key").
type Path struct {
	Nodes []PathNode `json:"nodes"`
	Links []PathLink `json:"links"`
}

// PathNode is a node of an evidence path.
type PathNode struct {
	Ref  models.Ref `json:"ref"`
	Name string     `json:"name"`
}

// Masked masks a person's name (models.MaskName).
func (n PathNode) Masked() PathNode {
	if n.Ref.Kind == models.KindPerson {
		n.Name = models.MaskName(n.Name)
	}
	return n
}

// PathLink is a relationship of an evidence path.
type PathLink struct {
	From  string         `json:"from"`
	To    string         `json:"to"`
	Type  models.RelType `json:"type"`
	Ratio float64        `json:"ratio,omitempty"`
	Title string         `json:"title,omitempty"`
	Since string         `json:"since,omitempty"`
	Until string         `json:"until,omitempty"`
}

func linkOf(e store.Edge) PathLink {
	l := PathLink{From: e.From.String(), To: e.To.String(), Type: e.Type}
	l.Ratio, _ = e.Props["ratio"].(float64)
	l.Title, _ = e.Props["title"].(string)
	l.Since, _ = e.Props["since"].(string)
	l.Until, _ = e.Props["until"].(string)
	return l
}

// Check makes one check.
func (c *Checker) Check(ctx context.Context, req Request) (Result, error) {
	return c.check(ctx, req, nil)
}

// Outcome is one check of a batch: its result, or why it was not made.
type Outcome struct {
	Result Result
	Err    error
}

// CheckAll makes the checks of a batch with up to workers at a time; the
// records of a party several subjects share (a parent, a shareholder) are
// read once. Outcomes are in request order.
func (c *Checker) CheckAll(ctx context.Context, reqs []Request, workers int) []Outcome {
	out := make([]Outcome, len(reqs))
	memo := &recordMemo{m: map[models.Ref][]models.Record{}}
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Go(func() {
			for i := range next {
				out[i].Result, out[i].Err = c.check(ctx, reqs[i], memo)
			}
		})
	}
	for i := range reqs {
		if ctx.Err() != nil {
			out[i].Err = ctx.Err()
			continue
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// recordMemo remembers parties' records within one batch.
type recordMemo struct {
	mu sync.Mutex
	m  map[models.Ref][]models.Record
}

// records reads the records of the parties in one store call, those of
// parties already read in this batch from memo.
func (c *Checker) records(ctx context.Context, parties []party, memo *recordMemo) (map[models.Ref][]models.Record, error) {
	out := make(map[models.Ref][]models.Record, len(parties))
	var ask []models.Ref
	if memo != nil {
		memo.mu.Lock()
	}
	for _, pt := range parties {
		if memo != nil {
			if rs, ok := memo.m[pt.ref]; ok {
				out[pt.ref] = rs
				continue
			}
		}
		ask = append(ask, pt.ref)
	}
	if memo != nil {
		memo.mu.Unlock()
	}
	if len(ask) == 0 {
		return out, nil
	}
	got, err := c.Reader.RecordsOf(ctx, ask)
	if err != nil {
		return nil, err
	}
	if memo != nil {
		memo.mu.Lock()
		defer memo.mu.Unlock()
	}
	for _, ref := range ask {
		out[ref] = got[ref]
		if memo != nil {
			memo.m[ref] = got[ref]
		}
	}
	return out, nil
}

// party is a node whose records a rule may read.
type party struct {
	via  string
	ref  models.Ref
	path Path
	// window bounds the decisions that count for a person subject's term
	// at an enterprise (zero ends are open).
	window [2]models.Date
}

func (c *Checker) check(ctx context.Context, req Request, memo *recordMemo) (Result, error) {
	cat := c.Catalogue
	sc, ok := cat.Scenario(req.Scenario)
	if !ok {
		return Result{}, &ScenarioError{Scenario: req.Scenario, Allowed: cat.ScenarioIDs()}
	}
	if !sc.Checks(req.Subject.Kind) {
		return Result{}, fmt.Errorf("%w: scenario %s checks %s subjects, not a %s; give %s", store.ErrInvalid, sc.ID,
			strings.Join(sc.Subjects, " or "), req.Subject.Kind, subjectHint(sc))
	}
	if req.AsOf.IsZero() {
		return Result{}, fmt.Errorf("%w: a check needs the day it answers for (as_of)", store.ErrInvalid)
	}
	need := map[string]bool{}
	for _, r := range cat.RulesFor(sc.ID) {
		for _, v := range r.Via {
			need[v] = true
		}
	}
	f, err := c.gather(ctx, req, need, memo)
	if err != nil {
		return Result{}, err
	}
	return evaluate(cat, sc, f, req.AsOf), nil
}

// file is what a check read of the graph and the credit file: the
// subject, the parties its rules read with their records, the records'
// objections and repairs, and the subject's commitments.
type file struct {
	subject     SubjectView
	parties     []partyRecords
	lives       map[string]*store.RecordLife
	commitments []store.Commitment
}

type partyRecords struct {
	party
	records []models.Record
}

// gather reads the subject, the parties of the relations in need as they
// stood on req.AsOf, their records and the credit file.
func (c *Checker) gather(ctx context.Context, req Request, need map[string]bool, memo *recordMemo) (*file, error) {
	f := &file{}
	switch req.Subject.Kind {
	case models.KindEnterprise:
		e, err := c.Reader.Enterprise(ctx, req.Subject.Key)
		if err != nil {
			return nil, err
		}
		f.subject = SubjectView{Ref: e.Ref(), Name: e.Name, USCC: e.USCC, Status: e.Status, Found: true}
	case models.KindPerson:
		p, err := c.Reader.Person(ctx, req.Subject.Key)
		switch {
		case err == nil:
			f.subject = SubjectView{Ref: p.Ref(), Name: p.Name, Found: true}
		case errors.Is(err, store.ErrNotFound):
			f.subject = SubjectView{Ref: req.Subject, Name: req.Name}
		default:
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%w: a check's subject is an enterprise or a person", store.ErrInvalid)
	}
	subject := PathNode{Ref: f.subject.Ref, Name: f.subject.Name}
	parties := []party{{via: ViaSelf, ref: subject.Ref, path: Path{Nodes: []PathNode{subject}, Links: []PathLink{}}}}
	if f.subject.Found {
		more, err := c.related(ctx, subject, req.AsOf, need)
		if err != nil {
			return nil, err
		}
		parties = append(parties, more...)
	}
	var read []party
	for _, pt := range parties {
		if need[pt.via] || pt.via == ViaSelf {
			read = append(read, pt)
		}
	}
	recs, err := c.records(ctx, read, memo)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, pt := range read {
		f.parties = append(f.parties, partyRecords{party: pt, records: recs[pt.ref]})
		for _, r := range recs[pt.ref] {
			ids = append(ids, r.ID)
		}
	}
	if c.File != nil && f.subject.Found {
		if len(ids) > 0 {
			os, rs, err := c.File.RecordFiles(ctx, ids)
			if err != nil {
				return nil, err
			}
			f.lives = store.Lives(os, rs)
		}
		cs, err := c.File.Commitments(ctx, f.subject.Ref.String())
		if err != nil {
			return nil, err
		}
		f.commitments = cs
	}
	return f, nil
}

// evaluate applies the rules of scenario sc of cat to what was gathered,
// on day asOf.
func evaluate(cat *Catalogue, sc *Scenario, f *file, asOf models.Date) Result {
	res := Result{Scenario: ScenarioView{ID: sc.ID, Zh: sc.Zh, En: sc.En}, AsOf: asOf, Subject: f.subject, Verdict: VerdictClear,
		Measures: []Applied{}, Commitments: []CommitmentView{}, Catalogue: Version{Version: cat.Version, SHA256: cat.SHA256}}
	rules := cat.RulesFor(sc.ID)
	best := map[[2]string]Applied{}
	for _, pt := range f.parties {
		for _, r := range rules {
			if !slices.Contains(r.Via, pt.via) {
				continue
			}
			for _, rec := range pt.records {
				life := f.lives[rec.ID]
				rec, corrected := life.CorrectedOn(rec, asOf)
				if !r.When.matches(rec) || !inWindow(rec.Decided, pt.window) {
					continue
				}
				pv, ok := r.applies(rec, life.EndsOn(rec, cat.PublicationYears(rec.Kind), asOf), asOf)
				if !ok {
					continue
				}
				a := Applied{Rule: RuleView{ID: r.ID, Zh: r.Zh, En: r.En}, Measure: r.Measure, Relation: pt.via,
					Basis: basisOf(cat, r), Record: rec, Corrected: corrected, Path: pt.path, Period: pv,
					rank: [3]int{measureRank(r.Measure), len(pt.path.Links), viaRank(pt.via)}}
				if o := life.OpenOn(asOf); o != nil {
					a.UnderObjection = &ObjectionMark{ID: o.ID, Filed: models.ChinaDate(o.Filed), Reason: o.Reason}
				}
				key := [2]string{r.ID, rec.ID}
				if old, seen := best[key]; !seen || lessRank(a.rank, old.rank) {
					best[key] = a
				}
			}
		}
	}
	for _, a := range best {
		res.Measures = append(res.Measures, a)
	}
	slices.SortFunc(res.Measures, func(x, y Applied) int {
		if x.rank != y.rank {
			if lessRank(x.rank, y.rank) {
				return -1
			}
			return 1
		}
		return cmp.Or(strings.Compare(x.Rule.ID, y.Rule.ID), strings.Compare(x.Record.ID, y.Record.ID))
	})
	res.Verdict, res.Incentives = verdictOf(res.Measures)
	res.Commitments = commitmentsOf(cat, f, asOf)
	return res
}

// commitmentsOf lists the subject's commitments made by asOf, each with
// the subject's own negative records that breach it: decided inside its
// window (store.Commitment.Covers) by asOf and still counting on asOf —
// the rule of the engine's commitment_breached flag.
func commitmentsOf(cat *Catalogue, f *file, asOf models.Date) []CommitmentView {
	out := []CommitmentView{}
	var own []models.Record
	for _, pt := range f.parties {
		if pt.via == ViaSelf {
			own = pt.records
		}
	}
	for _, c := range f.commitments {
		if c.Date.After(asOf.Time) {
			continue
		}
		v := CommitmentView{ID: c.ID, Scenario: c.Scenario, Text: c.Text, Date: c.Date, ValidUntil: c.ValidUntil, BreachedBy: []string{}}
		for _, r := range own {
			if cat.Polarity(r.Kind) != PolarityNegative || r.Decided.After(asOf.Time) || !c.Covers(r.Decided) {
				continue
			}
			if at, _ := f.lives[r.ID].EndsOn(r, cat.PublicationYears(r.Kind), asOf).First(); !at.IsZero() {
				continue
			}
			v.BreachedBy = append(v.BreachedBy, r.ID)
		}
		v.Breached = len(v.BreachedBy) > 0
		out = append(out, v)
	}
	return out
}

func subjectHint(sc *Scenario) string {
	if sc.Checks(models.KindPerson) {
		return `a person: {"name": "…", "id_number": "…"}`
	}
	return "an enterprise's USCC or key"
}

func lessRank(a, b [3]int) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// verdictOf is the strongest negative measure; incentives count only on
// a clear verdict without key supervision.
func verdictOf(ms []Applied) (string, bool) {
	verdict, supervised, incentive := VerdictClear, false, false
	for _, m := range ms {
		var v string
		switch m.Measure {
		case MeasureProhibit:
			v = VerdictProhibited
		case MeasureRestrict:
			v = VerdictRestricted
		case MeasureStrictReview:
			v = VerdictStrictReview
		case MeasureKeySupervision:
			supervised = true
		case MeasureIncentive:
			incentive = true
		}
		if v != "" && slices.Index(Verdicts, v) < slices.Index(Verdicts, verdict) {
			verdict = v
		}
	}
	return verdict, verdict == VerdictClear && !supervised && incentive
}

func basisOf(cat *Catalogue, r *Rule) []BasisView {
	out := make([]BasisView, 0, len(r.Basis))
	for _, b := range r.Basis {
		d := cat.Document(b.Document)
		out = append(out, BasisView{Number: d.Number, Title: d.Title, Provision: b.Provision})
	}
	return out
}

// matches reports whether a record satisfies the condition.
func (w *Condition) matches(r models.Record) bool {
	return slices.Contains(w.Kinds, string(r.Kind)) && r.Severity >= w.MinSeverity && r.Amount >= w.MinAmount &&
		(w.Authority == "" || strings.Contains(r.Authority, w.Authority))
}

// inWindow reports whether a decision falls in a term (open ends are zero).
func inWindow(d models.Date, w [2]models.Date) bool {
	if w[0].IsZero() && w[1].IsZero() {
		return true
	}
	if d.IsZero() {
		return false
	}
	return (w[0].IsZero() || !d.Before(w[0].Time)) && (w[1].IsZero() || !d.After(w[1].Time))
}

// applies reports whether the rule's period covers asOf for record rec,
// as the file stood on asOf: a decision after it has not happened, and
// an end after it is not yet known (ends holds only those on or before
// asOf). A withdrawn record never counts; a repair ends every period but
// until_removed; the end of the publication period ends in_force and a
// term that a removal ends; a removal ends all but a term that runs
// despite it (docs/credit-checks.md, "Periods").
func (r *Rule) applies(rec models.Record, ends store.RecordEnds, asOf models.Date) (PeriodView, bool) {
	if (!rec.Decided.IsZero() && rec.Decided.After(asOf.Time)) || !ends.Withdrawn.IsZero() {
		return PeriodView{}, false
	}
	removed, repaired, expired := !ends.Removed.IsZero(), !ends.Repaired.IsZero(), !ends.Expired.IsZero()
	switch r.Period {
	case PeriodInForce:
		return PeriodView{Kind: r.Period, Text: "while the record is in force"}, !removed && !repaired && !expired
	case PeriodUntilRemoved:
		return PeriodView{Kind: r.Period, Text: "until the record is removed"}, !removed
	case PeriodYears:
		if rec.Decided.IsZero() || repaired || ((removed || expired) && !r.DespiteRemoval) {
			return PeriodView{}, false // a term needs its start
		}
		end := models.Date{Time: rec.Decided.AddDate(r.Years, 0, 0)}
		text := fmt.Sprintf("%d years from the decision of %s", r.Years, rec.Decided)
		if !r.DespiteRemoval {
			text += ", or until the record is removed"
		}
		return PeriodView{Kind: r.Period, Years: r.Years, Until: end, Text: text}, asOf.Before(end.Time)
	}
	return PeriodView{}, false
}

// related finds the parties a scenario's rules may read (need: the
// relations they name), as the relationships stood on asOf.
func (c *Checker) related(ctx context.Context, subject PathNode, asOf models.Date, need map[string]bool) ([]party, error) {
	if subject.Ref.Kind == models.KindPerson {
		if !need[ViaLegalRepOf] && !need[ViaOfficerOf] {
			return nil, nil
		}
		return c.terms(ctx, subject, asOf)
	}
	var types []models.RelType
	if need[ViaLegalRep] {
		types = append(types, models.RelLegalRepOf)
	}
	if need[ViaPrincipalOfficer] {
		types = append(types, models.RelOfficerOf)
	}
	if need[ViaControllingShareholder] || need[ViaActualController] {
		types = append(types, models.RelHoldsShares)
	}
	if need[ViaParent] {
		types = append(types, models.RelBranchOf)
	}
	if len(types) == 0 {
		return nil, nil
	}
	edges, nodes, err := c.Reader.Expand(ctx, []models.Ref{subject.Ref}, types)
	if err != nil {
		return nil, err
	}
	sortEdges(edges)
	var out []party
	step := func(via string, e store.Edge, other models.Ref) {
		out = append(out, party{via: via, ref: other, path: Path{
			Nodes: []PathNode{subject, {Ref: other, Name: nodes[other].Label}},
			Links: []PathLink{linkOf(e)}}})
	}
	for _, e := range edges {
		switch {
		case e.Type == models.RelLegalRepOf && e.To == subject.Ref && need[ViaLegalRep] && roleInForce(e, asOf):
			step(ViaLegalRep, e, e.From)
		case e.Type == models.RelOfficerOf && e.To == subject.Ref && need[ViaPrincipalOfficer] && roleInForce(e, asOf):
			step(ViaPrincipalOfficer, e, e.From)
		case e.Type == models.RelHoldsShares && e.To == subject.Ref && need[ViaControllingShareholder] && c.controlling(e, asOf):
			step(ViaControllingShareholder, e, e.From)
		case e.Type == models.RelBranchOf && e.From == subject.Ref && need[ViaParent]:
			step(ViaParent, e, e.To)
		}
	}
	if need[ViaActualController] {
		p, ok, err := c.actualController(ctx, subject, asOf, edges, nodes)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, p)
		}
	}
	return out, nil
}

// terms lists the enterprises a person subject was legal representative
// or officer of, each with the term during which its records count.
func (c *Checker) terms(ctx context.Context, subject PathNode, asOf models.Date) ([]party, error) {
	edges, nodes, err := c.Reader.Expand(ctx, []models.Ref{subject.Ref}, []models.RelType{models.RelLegalRepOf, models.RelOfficerOf})
	if err != nil {
		return nil, err
	}
	sortEdges(edges)
	var out []party
	for _, e := range edges {
		if e.From != subject.Ref {
			continue
		}
		since, until := edgeDate(e, "since"), edgeDate(e, "until")
		if !since.IsZero() && since.After(asOf.Time) {
			continue // appointed after the day asked about
		}
		via := ViaOfficerOf
		if e.Type == models.RelLegalRepOf {
			via = ViaLegalRepOf
		}
		out = append(out, party{via: via, ref: e.To, window: [2]models.Date{since, until},
			path: Path{Nodes: []PathNode{subject, {Ref: e.To, Name: nodes[e.To].Label}}, Links: []PathLink{linkOf(e)}}})
	}
	return out, nil
}

// actualController walks up the chain of controlling shareholders from
// the subject (a holding above the control threshold, in force on asOf)
// to its top: a person, or an enterprise nobody controls. It is the
// engine's top of the majority chain (engine.Ownership.Top) found from one
// enterprise; control by adding up several vehicles' stakes needs the
// whole holding graph and is the engine's (GET /enterprises/{key}/owners).
func (c *Checker) actualController(ctx context.Context, subject PathNode, asOf models.Date, edges []store.Edge, nodes map[models.Ref]store.Node) (party, bool, error) {
	path := Path{Nodes: []PathNode{subject}, Links: []PathLink{}}
	seen := map[models.Ref]bool{subject.Ref: true}
	cur := subject.Ref
	for range maxChain {
		var top *store.Edge
		for i := range edges {
			e := &edges[i]
			if e.Type == models.RelHoldsShares && e.To == cur && c.controlling(*e, asOf) {
				if top == nil || ratioOf(*e) > ratioOf(*top) {
					top = e
				}
			}
		}
		if top == nil || seen[top.From] {
			break // the top of the chain, or a cycle of holdings
		}
		seen[top.From] = true
		path.Nodes = append(path.Nodes, PathNode{Ref: top.From, Name: nodes[top.From].Label})
		path.Links = append(path.Links, linkOf(*top))
		cur = top.From
		if cur.Kind != models.KindEnterprise {
			break
		}
		var err error
		if edges, nodes, err = c.Reader.Expand(ctx, []models.Ref{cur}, []models.RelType{models.RelHoldsShares}); err != nil {
			return party{}, false, err
		}
		sortEdges(edges)
	}
	if len(path.Links) == 0 {
		return party{}, false, nil
	}
	return party{via: ViaActualController, ref: cur, path: path}, true, nil
}

func (c *Checker) controlling(e store.Edge, asOf models.Date) bool {
	t := c.ControlThreshold
	if t == 0 {
		t = DefaultControlThreshold
	}
	if !store.Controls(e.Type, ratioOf(e), t) {
		return false
	}
	since := edgeDate(e, "since")
	return since.IsZero() || !since.After(asOf.Time)
}

func ratioOf(e store.Edge) float64 {
	r, _ := e.Props["ratio"].(float64)
	return r
}

// roleInForce reports whether an appointment held on asOf.
func roleInForce(e store.Edge, asOf models.Date) bool {
	since, until := edgeDate(e, "since"), edgeDate(e, "until")
	return (since.IsZero() || !since.After(asOf.Time)) && (until.IsZero() || !until.Before(asOf.Time))
}

func edgeDate(e store.Edge, name string) models.Date {
	s, _ := e.Props[name].(string)
	d, _ := models.ParseDate(s)
	return d
}

func sortEdges(es []store.Edge) {
	slices.SortFunc(es, func(a, b store.Edge) int { return strings.Compare(a.ID(), b.ID()) })
}
