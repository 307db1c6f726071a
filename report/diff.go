package report

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	"riskgraph/engine"
	"riskgraph/models"
	"riskgraph/store"
)

// Format is the version of the report document's shape (docs/reports.md).
const Format = 1

// Scope restricts a report. Empty fields do not restrict.
type Scope struct {
	// Region is a GB/T 2260 prefix: "44" (province), "4403" (city),
	// "440305" (county); trailing "00" pairs of a 6-digit code are dropped,
	// so "440000" means "44".
	Region string `json:"region,omitempty"`
	// Industry is a GB/T 4754 prefix: a section letter ("C") or a code prefix ("C13").
	Industry string `json:"industry,omitempty"`
	// Watchlist is a watch-list id: only its entities are reported.
	Watchlist string `json:"watchlist,omitempty"`
}

// Normalize trims the scope and reduces a 6-digit region code to its prefix.
func (s Scope) Normalize() (Scope, error) {
	s.Region, s.Industry, s.Watchlist = strings.TrimSpace(s.Region), strings.ToUpper(strings.TrimSpace(s.Industry)), strings.TrimSpace(s.Watchlist)
	for len(s.Region) > 2 && len(s.Region)%2 == 0 && strings.HasSuffix(s.Region, "00") {
		s.Region = s.Region[:len(s.Region)-2]
	}
	for _, c := range s.Region {
		if c < '0' || c > '9' {
			return s, fmt.Errorf("%w: region %q: give a GB/T 2260 code or prefix such as 44, 4403 or 440305", store.ErrInvalid, s.Region)
		}
	}
	if len(s.Region) > 6 || len(s.Region)%2 == 1 {
		return s, fmt.Errorf("%w: region %q: give 2, 4 or 6 digits", store.ErrInvalid, s.Region)
	}
	return s, nil
}

// String describes the scope as stored with the report ("" = everything).
func (s Scope) String() string {
	var parts []string
	if s.Region != "" {
		parts = append(parts, "region="+s.Region)
	}
	if s.Industry != "" {
		parts = append(parts, "industry="+s.Industry)
	}
	if s.Watchlist != "" {
		parts = append(parts, "watchlist="+s.Watchlist)
	}
	return strings.Join(parts, " ")
}

// Input is what a report is computed from.
type Input struct {
	// Current and Previous are the snapshots of the run reported on and of
	// the run it is compared with (nil: no earlier run, everything is new).
	Current, Previous *Snapshot
	// CurrentRun and PreviousRun are their run records (for the header).
	CurrentRun, PreviousRun store.Run
	// Graph of the current run, for the exposure of new serious records
	// (nil: exposure is not computed); Today its reference day.
	Graph *engine.Graph
	Today engine.Day
	// Hops is the control distance of exposure (default 2, the engine's
	// blacklist_hops); ControlThreshold the holding ratio that controls (default 0.5).
	Hops             int
	ControlThreshold float64
	// Names gives display names (nil: none).
	Names Namer
	Scope Scope
	// Watchlists whose entities get the "watched" section; with
	// Scope.Watchlist set it must contain that list.
	Watchlists []store.Watchlist
	// Top is the number of largest score rises listed (default 50).
	Top int
	// Explain gives the current run's top contributions of an entity whose
	// stored details have none (the engine keeps details for grades C and D
	// and flagged entities only); nil leaves such grade changes unexplained.
	Explain func(models.Ref) []engine.ContributionView
}

// ExplainFrom explains entities with a run's in-memory result.
func ExplainFrom(res *engine.Result) func(models.Ref) []engine.ContributionView {
	return func(r models.Ref) []engine.ContributionView {
		v, ok := res.Graph.Lookup(r)
		if !ok || res.Score[v] == 0 {
			return nil
		}
		return res.View(res.Explain(v), 3)
	}
}

// Namer returns display names of entities.
type Namer func(ctx context.Context, r models.Ref) string

// StoreNames names entities from a store's Reader; a failed look-up gives "".
func StoreNames(r store.Reader) Namer {
	return func(ctx context.Context, ref models.Ref) string {
		switch ref.Kind {
		case models.KindEnterprise:
			if e, err := r.Enterprise(ctx, ref.Key); err == nil {
				return e.Name
			}
		case models.KindPerson:
			if p, err := r.Person(ctx, ref.Key); err == nil {
				return p.Name
			}
		}
		return ""
	}
}

// Document is a report. Its JSON form is the stored and served document;
// the CSV and HTML forms are rendered from it.
type Document struct {
	Format  int      `json:"format"`
	Run     RunInfo  `json:"run"`
	Against *RunInfo `json:"against"`
	Scope   Scope    `json:"scope"`
	Summary Summary  `json:"summary"`
	// Sections (docs/reports.md describes every field).
	EnteredCD              []GradeChange `json:"entered_cd"`
	GradeChanges           []GradeChange `json:"grade_changes"`
	NewFlags               []NewFlag     `json:"new_flags"`
	TopRisers              []Riser       `json:"top_risers"`
	NewRecords             []NewRecord   `json:"new_records"`
	RestrictedAppointments []NewFlag     `json:"restricted_appointments"`
	Watched                []Watched     `json:"watched"`
	ByRegion               []AreaCount   `json:"by_region"`
	ByIndustry             []AreaCount   `json:"by_industry"`
	Grades                 []GradeCount  `json:"grades"`
}

// RunInfo identifies a run.
type RunInfo struct {
	ID         string `json:"id"`
	Finished   string `json:"finished,omitempty"` // RFC 3339, UTC
	Generation uint64 `json:"generation"`
}

// Summary counts the sections (of the scope).
type Summary struct {
	Entities     int `json:"entities"`
	EnteredCD    int `json:"entered_cd"`
	Worsened     int `json:"worsened"`
	Improved     int `json:"improved"`
	NewFlags     int `json:"new_flags"`
	NewRecords   int `json:"new_records"`
	Restricted   int `json:"restricted_appointments"`
	WatchedMoved int `json:"watched_changed"`
}

// Subject is an entity as the report names it.
type Subject struct {
	Ref        string `json:"ref"` // "enterprise:<key>" or "person:<pid>"
	Name       string `json:"name,omitempty"`
	Region     string `json:"region,omitempty"`
	RegionName string `json:"region_name,omitempty"`
	Industry   string `json:"industry,omitempty"`
}

// GradeChange is an entity whose grade changed.
type GradeChange struct {
	Subject
	Before      string  `json:"before"` // "" when the entity is new
	After       string  `json:"after"`
	ScoreBefore float64 `json:"score_before"`
	ScoreAfter  float64 `json:"score_after"`
	Delta       float64 `json:"delta"`
	// MovedBy is the contribution that grew most (engine explanation).
	MovedBy *Moved `json:"moved_by,omitempty"`
}

// Moved is a contribution to a score and how much it grew.
type Moved struct {
	Record  string   `json:"record"`
	Kind    string   `json:"kind"`
	Subject string   `json:"subject"`
	Path    []string `json:"path,omitempty"`
	Amount  float64  `json:"amount"`
	Change  float64  `json:"change"`
}

// NewFlag is an anomaly flag an entity did not carry before, with the
// engine's evidence.
type NewFlag struct {
	Subject
	Flag     string              `json:"flag"`
	Evidence *engine.FindingView `json:"evidence,omitempty"`
}

// Riser is one of the largest score rises.
type Riser struct {
	Subject
	Before      float64 `json:"before"`
	After       float64 `json:"after"`
	Delta       float64 `json:"delta"`
	GradeBefore string  `json:"grade_before"`
	GradeAfter  string  `json:"grade_after"`
}

// NewRecord is a serious-violation or blacklist record in force now and not
// in the earlier run, with its exposure: the enterprises within Hops
// control steps of its subject.
type NewRecord struct {
	ID       string   `json:"id"`
	Kind     string   `json:"kind"`
	Subject  Subject  `json:"subject"`
	Decided  string   `json:"decided,omitempty"`
	Hops     int      `json:"hops"`
	Exposure int      `json:"exposure"`
	Exposed  []string `json:"exposed,omitempty"` // first maxExposed, sorted
}

// Watched lists what changed on one watched entity.
type Watched struct {
	Subject
	Watchlists  []string `json:"watchlists"`
	Before      string   `json:"before"`
	After       string   `json:"after"`
	ScoreBefore float64  `json:"score_before"`
	ScoreAfter  float64  `json:"score_after"`
	FlagsAdded  []string `json:"flags_added,omitempty"`
	FlagsGone   []string `json:"flags_removed,omitempty"`
	NewRecords  []string `json:"new_records,omitempty"`
	Missing     bool     `json:"missing,omitempty"` // not in the current run
}

// AreaCount counts changes in one region or industry section.
type AreaCount struct {
	Code       string `json:"code"`
	Name       string `json:"name,omitempty"`
	EnteredCD  int    `json:"entered_cd"`
	Worsened   int    `json:"worsened"`
	Improved   int    `json:"improved"`
	NewFlags   int    `json:"new_flags"`
	NewRecords int    `json:"new_records"`
}

// GradeCount is the number of enterprises (in scope) per grade in each run.
type GradeCount struct {
	Grade  string `json:"grade"`
	Before int    `json:"before"`
	After  int    `json:"after"`
}

const maxExposed = 20

// MaxExplained bounds the grade changes explained from the in-memory
// result per report (see Input.Explain).
const MaxExplained = 500

var gradeRank = map[string]int{"": -1, "A": 0, "B": 1, "C": 2, "D": 3}

// Build computes the report. The result depends only on the input, and
// every list has a total order, so equal inputs give identical documents.
// It reads top to bottom: defaults and scope, then one pass over both
// snapshots in reference order (grade changes, new flags, risers, watched
// changes per entity), then the sections that are not per entity.
func Build(ctx context.Context, in Input) (*Document, error) {
	b, err := newBuilder(in)
	if err != nil {
		return nil, err
	}
	b.gradesBefore()
	if err := b.walk(ctx); err != nil {
		return nil, err
	}
	b.newRecords()
	b.watchedRecords()
	b.watchedMissing()
	sortDocument(b.d, b.risers.list, b.in.Top)
	b.explain()
	b.finish()
	if err := nameDocument(ctx, b.d, b.in.Names); err != nil {
		return nil, err
	}
	return b.d, nil
}

// builder is one report under construction.
type builder struct {
	in    Input
	prev  *Snapshot
	d     *Document
	watch map[string][]string // ref → watch-list ids
	// scopeList is the scope's watch-list (nil: no watch-list scope).
	scopeList map[string]bool
	areas     *areas
	grades    map[string]*GradeCount
	risers    topRisers
	// unexplained: grade changes without stored contributions → the
	// earlier run's top contributions (explained after sorting).
	unexplained map[string][]TopContribution
	// newBySubject: new serious records by subject ref.
	newBySubject map[string][]string
}

// newBuilder applies the input's defaults and resolves the scope.
func newBuilder(in Input) (*builder, error) {
	if in.Current == nil {
		return nil, fmt.Errorf("report: no current snapshot")
	}
	scope, err := in.Scope.Normalize()
	if err != nil {
		return nil, err
	}
	in.Scope = scope
	if in.Top <= 0 {
		in.Top = 50
	}
	if in.Hops <= 0 {
		in.Hops = 2
	}
	if in.ControlThreshold <= 0 {
		in.ControlThreshold = 0.5
	}
	b := &builder{in: in, prev: in.Previous, watch: map[string][]string{}, areas: newAreas(scope),
		grades: map[string]*GradeCount{}, risers: topRisers{top: in.Top},
		unexplained: map[string][]TopContribution{}, newBySubject: map[string][]string{}}
	if b.prev == nil {
		b.prev = &Snapshot{Serious: map[string]string{}}
	}
	for _, w := range in.Watchlists {
		for _, k := range w.Keys {
			ref := watchRef(k)
			if !slices.Contains(b.watch[ref], w.ID) {
				b.watch[ref] = append(b.watch[ref], w.ID)
			}
		}
		if w.ID == scope.Watchlist {
			b.scopeList = map[string]bool{}
			for _, k := range w.Keys {
				b.scopeList[watchRef(k)] = true
			}
		}
	}
	if scope.Watchlist != "" && b.scopeList == nil {
		return nil, fmt.Errorf("report: watch-list %q: %w", scope.Watchlist, store.ErrNotFound)
	}
	for _, g := range []string{"A", "B", "C", "D"} {
		b.grades[g] = &GradeCount{Grade: g}
	}
	b.d = &Document{Format: Format, Run: runInfo(in.CurrentRun, in.Current.Run), Scope: scope,
		EnteredCD: []GradeChange{}, GradeChanges: []GradeChange{}, NewFlags: []NewFlag{}, TopRisers: []Riser{},
		NewRecords: []NewRecord{}, RestrictedAppointments: []NewFlag{}, Watched: []Watched{}, ByRegion: []AreaCount{}, ByIndustry: []AreaCount{}}
	if in.Previous != nil {
		ri := runInfo(in.PreviousRun, in.Previous.Run)
		b.d.Against = &ri
	}
	return b, nil
}

// inScope reports whether the scope covers e. Persons have no region or
// industry: region and industry scopes are about enterprises.
func (b *builder) inScope(e *Entity) bool {
	if b.scopeList != nil && !b.scopeList[e.Ref.String()] {
		return false
	}
	scope := b.in.Scope
	if scope.Region == "" && scope.Industry == "" {
		return true
	}
	return e.Ref.Kind == models.KindEnterprise && strings.HasPrefix(e.Region, scope.Region) &&
		strings.HasPrefix(strings.ToUpper(e.Industry), scope.Industry)
}

func subjectOf(e *Entity) Subject {
	return Subject{Ref: e.Ref.String(), Region: e.Region, Industry: e.Industry}
}

// gradesBefore counts the earlier run's grades over the scope.
func (b *builder) gradesBefore() {
	for i := range b.prev.Entities {
		e := &b.prev.Entities[i]
		if e.Ref.Kind == models.KindEnterprise && b.inScope(e) {
			if g := b.grades[e.Grade]; g != nil {
				g.Before++
			}
		}
	}
}

// walk visits every current entity in scope with its earlier result. Both
// snapshots are sorted by reference: the earlier result of each entity is
// found by walking prev alongside.
func (b *builder) walk(ctx context.Context) error {
	prev := b.prev.Entities
	pi := 0
	for i := range b.in.Current.Entities {
		if i%65536 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		cur := &b.in.Current.Entities[i]
		if !b.inScope(cur) {
			continue
		}
		b.d.Summary.Entities++
		if cur.Ref.Kind == models.KindEnterprise {
			if g := b.grades[cur.Grade]; g != nil {
				g.After++
			}
		}
		for pi < len(prev) && compareRef(prev[pi].Ref, cur.Ref) < 0 {
			pi++
		}
		var old *Entity
		if pi < len(prev) && compareRef(prev[pi].Ref, cur.Ref) == 0 {
			old = &prev[pi]
		}
		b.entity(newChange(cur, old))
	}
	b.d.Summary.Restricted = len(b.d.RestrictedAppointments)
	return nil
}

// change is one entity's current result beside its earlier one.
type change struct {
	cur, old    *Entity // old is nil when the entity is new
	before      string  // earlier grade ("" when new)
	scoreBefore float64
	oldFlags    []string
	oldTop      []TopContribution
	delta       float64
	details     *engine.Details
	parsed      bool
}

func newChange(cur, old *Entity) *change {
	c := &change{cur: cur, old: old}
	if old != nil {
		c.before, c.scoreBefore, c.oldFlags, c.oldTop = old.Grade, old.Score, old.Flags, old.Top
	}
	c.delta = quantize(cur.Score - c.scoreBefore)
	return c
}

// detailsOf parses the current result's details once, when first needed.
func (c *change) detailsOf() *engine.Details {
	if !c.parsed {
		c.parsed = true
		if len(c.cur.Details) > 0 {
			var x engine.Details
			if json.Unmarshal(c.cur.Details, &x) == nil {
				c.details = &x
			}
		}
	}
	return c.details
}

// entity adds one entity's part of every per-entity section.
func (b *builder) entity(c *change) {
	b.gradeChange(c)
	added := b.newFlags(c)
	b.riser(c)
	b.watchedChange(c, added)
}

// gradeChange: the entered-C/D and grade-change sections and their area counts.
func (b *builder) gradeChange(c *change) {
	cur, had := c.cur, c.old != nil
	if c.before == cur.Grade {
		return
	}
	gc := GradeChange{Subject: subjectOf(cur), Before: c.before, After: cur.Grade, ScoreBefore: c.scoreBefore,
		ScoreAfter: cur.Score, Delta: c.delta}
	contribs := []engine.ContributionView(nil)
	if x := c.detailsOf(); x != nil {
		contribs = x.Contributions
	}
	if len(contribs) == 0 && b.in.Explain != nil && had {
		b.unexplained[cur.Ref.String()] = c.oldTop
	}
	gc.MovedBy = movedBy(contribs, c.oldTop)
	worse := gradeRank[cur.Grade] > gradeRank[c.before]
	entered := gradeRank[cur.Grade] >= 2 && gradeRank[c.before] < 2
	if entered {
		b.d.EnteredCD = append(b.d.EnteredCD, gc)
		b.d.Summary.EnteredCD++
	}
	if had {
		b.d.GradeChanges = append(b.d.GradeChanges, gc)
		if worse {
			b.d.Summary.Worsened++
		} else {
			b.d.Summary.Improved++
		}
	}
	b.areas.add(cur, func(a *AreaCount) {
		if entered {
			a.EnteredCD++
		}
		if had && worse {
			a.Worsened++
		} else if had {
			a.Improved++
		}
	})
}

// newFlags: flags the entity did not carry before (restricted
// appointments listed again on their own); it returns them.
func (b *builder) newFlags(c *change) []string {
	var added []string
	for _, f := range c.cur.Flags {
		if !slices.Contains(c.oldFlags, f) {
			added = append(added, f)
			nf := NewFlag{Subject: subjectOf(c.cur), Flag: f, Evidence: evidence(c.detailsOf(), f)}
			b.d.NewFlags = append(b.d.NewFlags, nf)
			if f == engine.FlagRestrictedAppointment {
				b.d.RestrictedAppointments = append(b.d.RestrictedAppointments, nf)
			}
		}
	}
	if len(added) > 0 {
		b.d.Summary.NewFlags += len(added)
		b.areas.add(c.cur, func(a *AreaCount) { a.NewFlags += len(added) })
	}
	return added
}

// riser: a candidate for the largest score rises.
func (b *builder) riser(c *change) {
	if c.delta > 0 && b.risers.admits(c.delta) {
		b.risers.add(Riser{Subject: subjectOf(c.cur), Before: c.scoreBefore, After: c.cur.Score, Delta: c.delta,
			GradeBefore: c.before, GradeAfter: c.cur.Grade})
	}
}

// watchedChange: a watched entity whose score, grade or flags changed.
func (b *builder) watchedChange(c *change, added []string) {
	lists := b.watch[c.cur.Ref.String()]
	if len(lists) == 0 {
		return
	}
	w := Watched{Subject: subjectOf(c.cur), Watchlists: lists, Before: c.before, After: c.cur.Grade,
		ScoreBefore: c.scoreBefore, ScoreAfter: c.cur.Score, FlagsAdded: added}
	for _, f := range c.oldFlags {
		if !slices.Contains(c.cur.Flags, f) {
			w.FlagsGone = append(w.FlagsGone, f)
		}
	}
	if c.delta != 0 || c.before != c.cur.Grade || len(w.FlagsAdded) > 0 || len(w.FlagsGone) > 0 {
		b.d.Watched = append(b.d.Watched, w)
	}
}

// newRecords: serious records in force now and not in the earlier run,
// with their exposure.
func (b *builder) newRecords() {
	in := b.in
	ids := make([]string, 0)
	for id := range in.Current.Serious {
		if _, old := b.prev.Serious[id]; !old {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	var recIndex map[string]int
	if in.Graph != nil && len(ids) > 0 {
		want := make(map[string]bool, len(ids))
		for _, id := range ids {
			want[id] = true
		}
		recIndex = make(map[string]int, len(ids))
		for ri := range in.Graph.RecordIDs.Len() {
			if rid := in.Graph.RecordIDs.At(int32(ri)); want[rid] {
				recIndex[rid] = ri
			}
		}
	}
	for _, id := range ids {
		subject := in.Current.Serious[id]
		ref := parseRef(subject)
		e, ok := in.Current.Find(ref)
		if !ok {
			e = &Entity{Ref: ref}
		}
		if !b.inScope(e) {
			continue
		}
		nr := NewRecord{ID: id, Subject: subjectOf(e), Hops: in.Hops}
		if in.Graph != nil {
			if ri, ok := recIndex[id]; ok {
				r := &in.Graph.Records[ri]
				nr.Kind, nr.Decided = in.Graph.RecordKinds[r.Kind], r.Decided.Date().String()
			}
			nr.Exposed, nr.Exposure = exposure(in.Graph, ref, in.Hops, in.ControlThreshold, in.Today)
		}
		b.d.NewRecords = append(b.d.NewRecords, nr)
		b.newBySubject[subject] = append(b.newBySubject[subject], id)
		b.areas.add(e, func(a *AreaCount) { a.NewRecords++ })
	}
	b.d.Summary.NewRecords = len(b.d.NewRecords)
}

// watchedRecords: watched entities with new records, listed on their
// entry (added when nothing else changed on them).
func (b *builder) watchedRecords() {
	d := b.d
	for subject, recs := range b.newBySubject {
		lists := b.watch[subject]
		if len(lists) == 0 {
			continue
		}
		i := slices.IndexFunc(d.Watched, func(w Watched) bool { return w.Ref == subject })
		if i < 0 {
			e, _ := b.in.Current.Find(parseRef(subject))
			w := Watched{Subject: Subject{Ref: subject}, Watchlists: lists}
			if e != nil {
				w.Subject = subjectOf(e)
				w.Before, w.After, w.ScoreBefore, w.ScoreAfter = e.Grade, e.Grade, e.Score, e.Score
				if o, ok := b.prev.Find(e.Ref); ok {
					w.Before, w.ScoreBefore = o.Grade, o.Score
				}
			}
			d.Watched = append(d.Watched, w)
			i = len(d.Watched) - 1
		}
		d.Watched[i].NewRecords = recs
	}
}

// watchedMissing: watched entities that left the register (no result in
// this run).
func (b *builder) watchedMissing() {
	for ref, lists := range b.watch {
		if _, ok := b.in.Current.Find(parseRef(ref)); ok {
			continue
		}
		if o, ok := b.prev.Find(parseRef(ref)); ok {
			b.d.Watched = append(b.d.Watched, Watched{Subject: subjectOf(o), Watchlists: lists, Before: o.Grade, ScoreBefore: o.Score, Missing: true})
		}
	}
	b.d.Summary.WatchedMoved = len(b.d.Watched)
}

// explain explains, from the in-memory result, the first MaxExplained
// grade changes (in report order) the engine stored no contributions for;
// it costs about a millisecond per entity.
func (b *builder) explain() {
	d := b.d
	var todo []int
	for i := range d.GradeChanges {
		if _, ok := b.unexplained[d.GradeChanges[i].Ref]; ok && d.GradeChanges[i].MovedBy == nil && len(todo) < MaxExplained {
			todo = append(todo, i)
		}
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(runtime.GOMAXPROCS(0), len(todo)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				gc := &d.GradeChanges[i]
				gc.MovedBy = movedBy(b.in.Explain(parseRef(gc.Ref)), b.unexplained[gc.Ref])
			}
		}()
	}
	for _, i := range todo {
		next <- i
	}
	close(next)
	wg.Wait()
}

// finish fills the area and grade-count sections.
func (b *builder) finish() {
	b.d.ByRegion, b.d.ByIndustry = b.areas.lists()
	for _, g := range []string{"A", "B", "C", "D"} {
		b.d.Grades = append(b.d.Grades, *b.grades[g])
	}
}

func runInfo(r store.Run, id string) RunInfo {
	ri := RunInfo{ID: id, Generation: r.Generation}
	if !r.Finished.IsZero() {
		ri.Finished = r.Finished.UTC().Format("2006-01-02T15:04:05Z")
	}
	return ri
}

// watchRef turns a watch-list entry into a reference string: "person:<pid>"
// stays, anything else is an enterprise key.
func watchRef(k string) string {
	if strings.HasPrefix(k, "person:") || strings.HasPrefix(k, "enterprise:") {
		return k
	}
	return models.EnterpriseRef(k).String()
}

func parseRef(s string) models.Ref {
	kind, key, _ := strings.Cut(s, ":")
	return models.Ref{Kind: models.NodeKind(kind), Key: key}
}

// movedBy picks the current contribution that grew most against the
// earlier run's top contributions (absent there counts as 0).
func movedBy(contribs []engine.ContributionView, old []TopContribution) *Moved {
	var best *Moved
	for _, c := range contribs {
		amount := quantize(c.Amount)
		change := amount
		for _, o := range old {
			if o.Record == c.Record {
				change = quantize(amount - o.Amount)
			}
		}
		if best == nil || change > best.Change || (change == best.Change && c.Record < best.Record) {
			best = &Moved{Record: c.Record, Kind: c.Kind, Subject: c.Subject, Path: c.Path, Amount: amount, Change: change}
		}
	}
	return best
}

const epoch = "1970-01-01"

// evidence returns the engine's first finding of kind flag.
func evidence(d *engine.Details, flag string) *engine.FindingView {
	if d == nil {
		return nil
	}
	for i := range d.Flags {
		if d.Flags[i].Kind == flag {
			f := d.Flags[i]
			// The engine renders an unset date of a finding as day 0;
			// a flag detected in 1970 is not a thing.
			if f.From == epoch {
				f.From = ""
			}
			if f.To == epoch {
				f.To = ""
			}
			return &f
		}
	}
	return nil
}

// exposure counts the enterprises within hops control steps of ref (not
// ref itself): holdings above threshold and legal representatives in
// force, in either direction — the engine's blacklist-proximity rule.
func exposure(g *engine.Graph, ref models.Ref, hops int, threshold float64, today engine.Day) ([]string, int) {
	s, ok := g.Lookup(ref)
	if !ok {
		return nil, 0
	}
	control := func(e *engine.Edge) bool {
		if e.Since != engine.NoDay && e.Since > today {
			return false
		}
		switch e.Type {
		case engine.EdgeHolds:
			return e.Ratio > threshold
		case engine.EdgeLegalRep:
			return e.Until == engine.NoDay || e.Until > today
		}
		return false
	}
	seen := map[int32]bool{s: true}
	frontier := []int32{s}
	var reached []string
	for h := 0; h < hops && len(frontier) > 0; h++ {
		var next []int32
		visit := func(u int32) {
			if !seen[u] {
				seen[u] = true
				next = append(next, u)
				if g.Kinds[u] == engine.NodeEnterprise {
					reached = append(reached, g.Keys.At(u))
				}
			}
		}
		for _, v := range frontier {
			for i := g.OutOff[v]; i < g.OutOff[v+1]; i++ {
				if e := &g.Edges[i]; control(e) {
					visit(e.To)
				}
			}
			for _, ei := range g.InEdges(v) {
				if e := &g.Edges[ei]; control(e) {
					visit(e.From)
				}
			}
		}
		frontier = next
	}
	slices.Sort(reached)
	n := len(reached)
	return reached[:min(n, maxExposed)], n
}

// riserOrder is the order of the top risers: largest rise first, then by reference.
func riserOrder(a, b Riser) int {
	if c := cmp.Compare(b.Delta, a.Delta); c != 0 {
		return c
	}
	return strings.Compare(a.Ref, b.Ref)
}

// topRisers keeps the top largest rises seen so far (in riserOrder)
// without holding every rise: a report over millions of entities has
// millions of small rises.
type topRisers struct {
	top  int
	list []Riser
	// floor is, once the list was cut to top, the smallest rise in it: a
	// smaller rise has top rises ahead of it and cannot be listed.
	floor float64
	cut   bool
}

// admits reports whether a rise of delta may still be among the top.
func (t *topRisers) admits(delta float64) bool { return !t.cut || delta >= t.floor }

func (t *topRisers) add(r Riser) {
	t.list = append(t.list, r)
	if len(t.list) >= 2*t.top+1024 {
		slices.SortFunc(t.list, riserOrder)
		t.list = t.list[:t.top]
		t.floor, t.cut = t.list[t.top-1].Delta, true
	}
}

func sortDocument(d *Document, risers []Riser, top int) {
	byRef := func(a, b Subject) int { return strings.Compare(a.Ref, b.Ref) }
	slices.SortFunc(d.EnteredCD, func(a, b GradeChange) int {
		return cmp.Or(-cmp.Compare(gradeRank[a.After], gradeRank[b.After]), -cmp.Compare(a.ScoreAfter, b.ScoreAfter), byRef(a.Subject, b.Subject))
	})
	slices.SortFunc(d.GradeChanges, func(a, b GradeChange) int {
		da, db := gradeRank[a.After]-gradeRank[a.Before], gradeRank[b.After]-gradeRank[b.Before]
		return cmp.Or(-cmp.Compare(da, db), -cmp.Compare(a.Delta, b.Delta), byRef(a.Subject, b.Subject))
	})
	flagOrder := func(f string) int {
		if i := slices.Index(engine.FlagKinds, f); i >= 0 {
			return i
		}
		return len(engine.FlagKinds)
	}
	sortFlags := func(fs []NewFlag) {
		slices.SortFunc(fs, func(a, b NewFlag) int {
			return cmp.Or(cmp.Compare(flagOrder(a.Flag), flagOrder(b.Flag)), strings.Compare(a.Flag, b.Flag), byRef(a.Subject, b.Subject))
		})
	}
	sortFlags(d.NewFlags)
	sortFlags(d.RestrictedAppointments)
	slices.SortFunc(risers, riserOrder)
	d.TopRisers = append(d.TopRisers, risers[:min(len(risers), top)]...)
	slices.SortFunc(d.NewRecords, func(a, b NewRecord) int {
		return cmp.Or(-cmp.Compare(a.Exposure, b.Exposure), strings.Compare(a.ID, b.ID))
	})
	for i := range d.Watched {
		slices.Sort(d.Watched[i].Watchlists)
		slices.Sort(d.Watched[i].NewRecords)
	}
	slices.SortFunc(d.Watched, func(a, b Watched) int { return byRef(a.Subject, b.Subject) })
}

// nameDocument fills names and region names of every listed subject.
func nameDocument(ctx context.Context, d *Document, names Namer) error {
	cache := map[string]string{}
	fill := func(s *Subject) {
		if s.Region != "" {
			if r := models.LookupRegion(s.Region); r.Level != models.RegionUnknown {
				s.RegionName = r.FullName()
			}
		}
		if names == nil {
			return
		}
		n, ok := cache[s.Ref]
		if !ok {
			n = names(ctx, parseRef(s.Ref))
			cache[s.Ref] = n
		}
		s.Name = n
	}
	for i := range d.EnteredCD {
		fill(&d.EnteredCD[i].Subject)
	}
	for i := range d.GradeChanges {
		fill(&d.GradeChanges[i].Subject)
	}
	for i := range d.NewFlags {
		fill(&d.NewFlags[i].Subject)
	}
	for i := range d.RestrictedAppointments {
		fill(&d.RestrictedAppointments[i].Subject)
	}
	for i := range d.TopRisers {
		fill(&d.TopRisers[i].Subject)
	}
	for i := range d.NewRecords {
		fill(&d.NewRecords[i].Subject)
	}
	for i := range d.Watched {
		fill(&d.Watched[i].Subject)
	}
	return ctx.Err()
}

// areas counts changes by region (one level below the scope's) and by
// industry section.
type areas struct {
	level    int // prefix length of region codes: 2, 4 or 6
	region   map[string]*AreaCount
	industry map[string]*AreaCount
}

func newAreas(s Scope) *areas {
	return &areas{level: min(len(s.Region)+2, 6), region: map[string]*AreaCount{}, industry: map[string]*AreaCount{}}
}

func (a *areas) add(e *Entity, f func(*AreaCount)) {
	if e.Ref.Kind != models.KindEnterprise {
		return
	}
	code := "unknown"
	if len(e.Region) >= a.level {
		code = e.Region[:a.level]
	}
	sec := "unknown"
	if e.Industry != "" {
		sec = strings.ToUpper(e.Industry[:1])
	}
	for m, k := range map[*map[string]*AreaCount]string{&a.region: code, &a.industry: sec} {
		c := (*m)[k]
		if c == nil {
			c = &AreaCount{Code: k}
			(*m)[k] = c
		}
		f(c)
	}
}

func (a *areas) lists() (regions, industries []AreaCount) {
	regions, industries = []AreaCount{}, []AreaCount{}
	for k, c := range a.region {
		if k != "unknown" {
			full := k + strings.Repeat("0", 6-len(k))
			if r := models.LookupRegion(full); r.Level != models.RegionUnknown {
				c.Name = r.FullName()
			}
		}
		regions = append(regions, *c)
	}
	for _, c := range a.industry {
		industries = append(industries, *c)
	}
	by := func(x, y AreaCount) int { return strings.Compare(x.Code, y.Code) }
	slices.SortFunc(regions, by)
	slices.SortFunc(industries, by)
	return regions, industries
}
