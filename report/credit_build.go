package report

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"math"
	"slices"
	"strings"
	"time"

	"riskgraph/credit"
	"riskgraph/engine"
	"riskgraph/models"
	"riskgraph/store"
)

// CreditStore is what building a credit report reads.
type CreditStore interface {
	store.Reader
	store.LicenceReader
	// The credit file (store.CreditFileStore's reads).
	Commitments(ctx context.Context, subject string) ([]store.Commitment, error)
	RecordFiles(ctx context.Context, ids []string) ([]store.Objection, []store.Repair, error)
	Generation(ctx context.Context) (uint64, error)
}

// CreditInput is what a credit report is built from.
type CreditInput struct {
	Store CreditStore
	// Result is the latest engine result and Run its run record.
	Result *engine.Result
	Run    store.Run
	// Catalogue classifies record kinds (polarity, labels); nil means the
	// shipped default.
	Catalogue *credit.Catalogue
	// Now is the issuing time (time.Now when zero).
	Now time.Time
}

// ErrNoRun: there is no engine result to report grades, flags and owners from.
var ErrNoRun = errors.New("no scoring run has completed yet; run riskgraph score")

// Related-party limits: how many related parties a report reads (records
// looked up one by one) and how many neighbours the picture shows.
const (
	maxRelated      = 300
	maxPictureNodes = 20
	maxExplained    = 10
	maxFlagEvidence = 20
)

// creditBuilder holds one report's state: the input, the day and a name cache.
type creditBuilder struct {
	ctx   context.Context
	in    CreditInput
	cat   *credit.Catalogue
	today models.Date
	ent   models.Enterprise
	v     int32 // the enterprise in the engine graph, or -1
	names map[models.Ref]string
	recs  []models.Record
	// The credit file of the subject's records: objections and repairs.
	filed   []store.Objection
	repairs []store.Repair
	lives   map[string]*store.RecordLife
}

// BuildCredit builds the credit report of the enterprise with the given
// key or USCC, one function per section. It does not seal or store it
// (IssueCredit does).
func BuildCredit(ctx context.Context, in CreditInput, key string) (*CreditReport, error) {
	if in.Result == nil {
		return nil, ErrNoRun
	}
	if in.Now.IsZero() {
		in.Now = time.Now()
	}
	cat := in.Catalogue
	if cat == nil {
		cat = credit.Default()
	}
	ent, err := in.Store.Enterprise(ctx, key)
	if err != nil {
		return nil, err
	}
	gen, err := in.Store.Generation(ctx)
	if err != nil {
		return nil, err
	}
	recs, err := in.Store.Records(ctx, ent.Ref())
	if err != nil {
		return nil, err
	}
	b := &creditBuilder{ctx: ctx, in: in, cat: cat, today: models.ChinaDate(in.Now), ent: ent, v: -1,
		names: map[models.Ref]string{ent.Ref(): ent.Name}, recs: recs}
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	if b.filed, b.repairs, err = in.Store.RecordFiles(ctx, ids); err != nil {
		return nil, err
	}
	b.lives = store.Lives(b.filed, b.repairs)
	if v, ok := in.Result.Graph.Lookup(ent.Ref()); ok {
		b.v = v
	}
	d := &CreditReport{
		Format: CreditFormat, Number: NewCreditNumber(in.Now), Issued: in.Now.UTC().Truncate(time.Millisecond), DataGeneration: gen,
		Engine:    EngineVersion{Run: in.Run.ID, Day: in.Result.Today.Date().String(), Finished: in.Run.Finished.UTC()},
		Catalogue: CatalogueVersion{Version: cat.Version, SHA256: cat.SHA256},
		Subject:   Party{Ref: ent.Ref().String(), Name: ent.Name},
	}
	steps := []func(*CreditReport) error{
		b.registration, b.licences, b.penalties, b.lists, b.positive, b.objections,
		b.grade, b.flags, b.owners, b.related,
	}
	for _, step := range steps {
		if err := step(d); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// NewCreditNumber returns a new report number: CR, the issuing day in
// China, and ten random hex digits (CR20261102-4f1a9c03be).
func NewCreditNumber(now time.Time) string {
	var r [5]byte
	_, _ = rand.Read(r[:])
	return "CR" + strings.ReplaceAll(models.ChinaDate(now).String(), "-", "") + "-" + hex.EncodeToString(r[:])
}

// name returns the name of an enterprise or person, read once.
func (b *creditBuilder) name(ref models.Ref) string {
	if n, ok := b.names[ref]; ok {
		return n
	}
	var n string
	switch ref.Kind {
	case models.KindEnterprise:
		if e, err := b.in.Store.Enterprise(b.ctx, ref.Key); err == nil {
			n = e.Name
		}
	case models.KindPerson:
		if p, err := b.in.Store.Person(b.ctx, ref.Key); err == nil {
			n = p.Name
		}
	}
	b.names[ref] = n
	return n
}

func (b *creditBuilder) party(ref models.Ref) Party {
	return Party{Ref: ref.String(), Name: b.name(ref)}
}

// partyOf resolves a node id "kind:key".
func (b *creditBuilder) partyOf(id string) Party {
	kind, key, _ := strings.Cut(id, ":")
	return b.party(models.Ref{Kind: models.NodeKind(kind), Key: key})
}

// kindLabel is a record kind's Chinese label in the catalogue.
func (b *creditBuilder) kindLabel(kind models.RecordKind) string {
	for _, k := range b.cat.RecordKinds {
		if k.Kind == string(kind) {
			return k.Zh
		}
	}
	return ""
}

func (b *creditBuilder) entry(r models.Record) RecordEntry {
	life := b.lives[r.ID]
	r, corrected := life.CorrectedOn(r, b.today)
	e := RecordEntry{ID: r.ID, Kind: string(r.Kind), KindLabel: b.kindLabel(r.Kind), Severity: r.Severity,
		Authority: r.Authority, DocNo: r.DocNo, Decided: dateString(r.Decided), Removed: dateString(r.Removed),
		InForce: true, Amount: r.Amount, Reason: r.Reason, Corrected: corrected,
		UnderObjection: life.OpenOn(b.today) != nil}
	if at, why := life.EndsOn(r, b.cat.PublicationYears(r.Kind), b.today).First(); why != "" {
		e.InForce, e.Ended, e.EndReason = false, at.String(), why
	}
	return e
}

func dateString(d models.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

var statusZh = map[models.Status]string{models.StatusActive: "存续（在业）", models.StatusRevoked: "吊销",
	models.StatusCancelled: "注销", models.StatusMovedOut: "迁出", models.StatusUnknown: "不详"}

// registration: the registered facts, legal representatives in office,
// the parent of a branch and the number of branches.
func (b *creditBuilder) registration(d *CreditReport) error {
	e := b.ent
	r := Registration{Key: e.Key, USCC: e.USCC, Name: e.Name, Kind: string(e.Kind), Status: string(e.Status),
		StatusZh: statusZh[e.Status], Capital: e.Capital, Currency: e.Currency, Established: dateString(e.Established),
		Region: e.Region, Industry: e.Industry, Address: e.Address, Placeholder: e.Placeholder, LegalReps: []Party{}}
	if e.Region != "" {
		r.RegionName = models.LookupRegion(e.Region).FullName()
	}
	edges, nodes, err := b.in.Store.Expand(b.ctx, []models.Ref{e.Ref()}, []models.RelType{models.RelLegalRepOf, models.RelBranchOf})
	if err != nil {
		return err
	}
	sortEdgesByID(edges)
	for _, ed := range edges {
		switch {
		case ed.Type == models.RelLegalRepOf && ed.To == e.Ref():
			if u, ok := ed.Props["until"].(string); ok && u != "" {
				if until, err := models.ParseDate(u); err == nil && !until.After(b.today.Time) {
					continue // no longer in office
				}
			}
			b.names[ed.From] = nodes[ed.From].Label
			r.LegalReps = append(r.LegalReps, b.party(ed.From))
		case ed.Type == models.RelBranchOf && ed.From == e.Ref():
			b.names[ed.To] = nodes[ed.To].Label
			p := b.party(ed.To)
			r.Parent = &p
		case ed.Type == models.RelBranchOf && ed.To == e.Ref():
			r.Branches++
		}
	}
	d.Registration = r
	return nil
}

func sortEdgesByID(es []store.Edge) {
	slices.SortFunc(es, func(a, b store.Edge) int { return strings.Compare(a.ID(), b.ID()) })
}

// licences: every administrative licence, and how many are in force.
func (b *creditBuilder) licences(d *CreditReport) error {
	ls, err := b.in.Store.Licences(b.ctx, b.ent.Key)
	if err != nil {
		return err
	}
	s := LicenceSection{Total: len(ls), Items: []LicenceEntry{}}
	for _, l := range ls {
		in := l.InForce(b.today)
		if in {
			s.InForce++
		}
		s.Items = append(s.Items, LicenceEntry{Licence: l, InForce: in})
	}
	d.Licences = s
	return nil
}

// penalties: the administrative penalties.
func (b *creditBuilder) penalties(d *CreditReport) error {
	s := RecordSection{Items: []RecordEntry{}}
	for _, r := range b.recs {
		if r.Kind != models.RecordPenalty {
			continue
		}
		e := b.entry(r)
		s.Total++
		if e.InForce {
			s.InForce++
		}
		s.Items = append(s.Items, e)
	}
	d.Penalties = s
	return nil
}

// creditLists are the lists the report shows, each with its kinds; the
// last takes every other negative or neutral kind.
var creditLists = []struct {
	id, zh string
	kinds  []models.RecordKind
}{
	{"abnormal_operations", "经营异常名录", []models.RecordKind{models.RecordAbnormal}},
	{"serious_violation", "严重违法失信名单", []models.RecordKind{models.RecordSeriousViolation}},
	{"dishonest_debtor", "失信被执行人名单", []models.RecordKind{models.RecordDishonestDebtor}},
	{"other", "其他名单（黑名单、重大税收违法等）", nil},
}

// lists: the abnormal-operations, serious-violation, dishonest-debtor and
// other lists, each entry with its period (decided → removed).
func (b *creditBuilder) lists(d *CreditReport) error {
	d.Lists = make([]ListSection, len(creditLists))
	for i, l := range creditLists {
		d.Lists[i] = ListSection{List: l.id, Title: l.zh, Kinds: []string{}, Items: []RecordEntry{}}
		for _, k := range l.kinds {
			d.Lists[i].Kinds = append(d.Lists[i].Kinds, string(k))
		}
	}
	other := len(creditLists) - 1
	for _, r := range b.recs {
		if r.Kind == models.RecordPenalty || b.cat.Polarity(r.Kind) == credit.PolarityPositive {
			continue
		}
		at := other
		for i, l := range creditLists[:other] {
			if slices.Contains(l.kinds, r.Kind) {
				at = i
			}
		}
		s := &d.Lists[at]
		if at == other && !slices.Contains(s.Kinds, string(r.Kind)) {
			s.Kinds = append(s.Kinds, string(r.Kind))
		}
		e := b.entry(r)
		if e.InForce {
			s.InForce++
		}
		s.Items = append(s.Items, e)
	}
	slices.Sort(d.Lists[other].Kinds)
	return nil
}

// positive: records of positive polarity (commendations, red lists), and
// the credit commitments with the records that breach them.
func (b *creditBuilder) positive(d *CreditReport) error {
	s := PositiveSection{Records: []RecordEntry{}, Commitments: []CommitmentEntry{}}
	for _, r := range b.recs {
		if b.cat.Polarity(r.Kind) == credit.PolarityPositive {
			s.Records = append(s.Records, b.entry(r))
		}
	}
	cs, err := b.in.Store.Commitments(b.ctx, b.ent.Ref().String())
	if err != nil {
		return err
	}
	for _, c := range cs {
		ce := CommitmentEntry{ID: c.ID, Scenario: c.Scenario, Text: c.Text, Date: dateString(c.Date),
			ValidUntil: dateString(c.ValidUntil), InForce: c.Covers(b.today), BreachedBy: []string{}}
		for _, r := range b.recs {
			if b.cat.Polarity(r.Kind) == credit.PolarityNegative && c.Covers(r.Decided) && !r.Decided.After(b.today.Time) && b.entry(r).InForce {
				ce.BreachedBy = append(ce.BreachedBy, r.ID)
			}
		}
		s.Commitments = append(s.Commitments, ce)
	}
	d.Positive = s
	return nil
}

// objections: the objections against the subject's records, with their
// decisions, and the repairs.
func (b *creditBuilder) objections(d *CreditReport) error {
	s := ObjectionsSection{Objections: []ObjectionEntry{}, Repairs: []RepairEntry{}}
	for _, o := range b.filed {
		e := ObjectionEntry{ID: o.ID, RecordID: o.RecordID, Reason: o.Reason, Filed: models.ChinaDate(o.Filed).String(),
			Status: o.Status, Outcome: o.Outcome, Severity: o.Severity}
		if !o.Decided.IsZero() {
			e.Decided = models.ChinaDate(o.Decided).String()
		}
		s.Objections = append(s.Objections, e)
	}
	for _, r := range b.repairs {
		s.Repairs = append(s.Repairs, RepairEntry{ID: r.ID, RecordID: r.RecordID, Date: dateString(r.Date), Basis: r.Basis})
	}
	d.Objections = s
	return nil
}

// grade: score, grade and the largest contributions with their paths.
func (b *creditBuilder) grade(d *CreditReport) error {
	res := b.in.Result
	gp := res.Params.Grades
	g := GradeSection{Thresholds: [3]float64{gp.B, gp.C, gp.D}, Contributions: []Contribution{}}
	if b.ent.Risk != nil {
		g.Previous = b.ent.Risk.Previous
	}
	if b.v < 0 {
		g.Note = "该主体在最近一次评分之后登记，下次评分时计算。 Added after the last scoring run; the next run scores it."
		d.Grade = g
		return nil
	}
	v := b.v
	g.Scored, g.Score, g.Grade, g.Intrinsic = true, round(res.Score[v]), res.Grade[v].String(), round(res.Intrinsic.Risk[v])
	ex := res.Explain(v)
	rest := ex.Score
	for _, c := range res.View(ex, maxExplained) {
		ct := Contribution{Record: c.Record, Kind: c.Kind, Subject: b.partyOf(c.Subject), Path: []Party{}, Amount: round(c.Amount)}
		for _, p := range c.Path {
			ct.Path = append(ct.Path, b.partyOf(p))
		}
		rest -= c.Amount
		g.Contributions = append(g.Contributions, ct)
	}
	g.Remainder = round(max(rest, 0))
	d.Grade = g
	return nil
}

// round keeps nine decimals: enough for every score, and stable in JSON.
func round(f float64) float64 { return math.Round(f*1e9) / 1e9 }

var flagZh = map[string]string{
	engine.FlagCircularHolding: "循环持股", engine.FlagMutualHolding: "相互持股", engine.FlagShellCluster: "同址（同电话、同邮箱）企业聚集",
	engine.FlagSerialLegalRep: "一人担任多家企业法定代表人", engine.FlagRegistrationBurst: "短期内集中设立企业",
	engine.FlagRestrictedAppointment: "受限人员任职", engine.FlagBlacklistProximity: "与黑名单主体控制关系接近",
	engine.FlagDeepLayering: "多层嵌套控制",
}

// flags: each anomaly flag with its evidence entities by name.
func (b *creditBuilder) flags(d *CreditReport) error {
	d.Flags = []FlagEntry{}
	if b.v < 0 {
		return nil
	}
	for _, f := range b.in.Result.FindingViews(b.v, maxFlagEvidence) {
		fe := FlagEntry{Flag: f.Kind, FlagLabel: flagZh[f.Kind], Value: f.Value, Count: f.Count, Threshold: f.Threshold,
			Evidence: []Party{}, More: f.More, Records: f.Records, From: f.From, To: f.To}
		for _, id := range f.Evidence {
			fe.Evidence = append(fe.Evidence, b.partyOf(id))
		}
		d.Flags = append(d.Flags, fe)
	}
	return nil
}

// owners: beneficial owners and the actual controller, through ownersOf.
func (b *creditBuilder) owners(d *CreditReport) error {
	s, err := ownersOf(b.ctx, b.in.Store, b.ent.Key, b.today, b.party)
	if err != nil {
		return err
	}
	d.Owners = s
	return nil
}
