package synth

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"riskgraph/models"
)

// DefaultReferenceDate is the "today" of generated data when
// GenerateOptions.Today is zero: 2026-06-30.
func DefaultReferenceDate() models.Date { return models.NewDate(2026, time.June, 30) }

// GenerateOptions configure Generate.
type GenerateOptions struct {
	// Enterprises is the number of rows of enterprises.csv (about 0.5 % of
	// them foreign shareholders without a USCC). At least 1.
	Enterprises int
	// Seed selects the data set: the same options give the same bytes.
	Seed int64
	// Out is the directory to write; it is created if missing, and the
	// canonical files and ground_truth.json in it are replaced.
	Out string
	// Today is the reference date: no generated date is later, and "within
	// 3 years" counts back from it. DefaultReferenceDate when zero.
	Today models.Date
	// Anomalies is the number of planted instances of each anomaly kind:
	// 0 scales with Enterprises (max(1, Enterprises/1000) from 200
	// enterprises on, none below), negative plants none.
	Anomalies int
}

// maxGenerate bounds Enterprises (person and record ids have 8 digits).
const maxGenerate = 50_000_000

// withDefaults fills in the defaults.
func (o GenerateOptions) withDefaults() GenerateOptions {
	if o.Today.IsZero() {
		o.Today = DefaultReferenceDate()
	}
	switch {
	case o.Anomalies < 0:
		o.Anomalies = 0
	case o.Anomalies == 0 && o.Enterprises >= 200:
		o.Anomalies = max(1, o.Enterprises/1000)
	}
	return o
}

// Validate reports what is wrong with the options (after defaults).
func (o GenerateOptions) Validate() error {
	switch {
	case o.Enterprises < 1 || o.Enterprises > maxGenerate:
		return fmt.Errorf("generate: enterprises %d: want 1 to %d", o.Enterprises, maxGenerate)
	case o.Out == "":
		return errors.New("generate: no output directory")
	case o.Today.Year() < 2015:
		return fmt.Errorf("generate: reference date %s: want 2015 or later", o.Today)
	}
	return nil
}

// Generate writes a synthetic data set in the canonical layout to opts.Out
// and returns its ground truth (also written to ground_truth.json). The
// output depends only on the options.
func Generate(opts GenerateOptions) (*GroundTruth, error) {
	opts = opts.withDefaults()
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	g := newGenerator(opts)
	if err := g.plan(); err != nil {
		return nil, err
	}
	if err := g.writeAll(); err != nil {
		return nil, err
	}
	gt := g.groundTruth()
	b, err := json.MarshalIndent(gt, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(opts.Out, GroundTruthFile), append(b, '\n'), 0o644); err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	return gt, nil
}

// Random streams: each concern draws from its own PCG stream, so that a
// change in one part of the generator leaves the others' output alone.
const (
	streamPlan uint64 = iota + 1
	streamText
	streamPersons
	streamRelations
	streamRecords
	streamKinship
	streamLicences
	streamControls
)

// Enterprise flags.
const (
	flagTainted  = 1 << iota // revoked or on the serious-violation list: its people are used nowhere else
	flagSerious              // gets a serious_violation record
	flagHolding              // named as a holding company
	flagAltName              // name form 字号（城市）行业有限公司
	flagLandline             // own phone is a landline
)

// Company name suffixes.
const (
	suffixLtd = iota
	suffixLLC
	suffixStock
	suffixGroup
)

var companySuffixes = []string{"有限公司", "有限责任公司", "股份有限公司", "集团有限公司"}

// tierShares is the share of background enterprises per holding tier:
// tier t's corporate shareholders come from tiers below t, so background
// chains are at most 4 enterprises deep and never cyclic.
var tierShares = []float64{0.02, 0.06, 0.14, 0.78}

// tierCorporate is the chance that a shareholder slot of a tier-t enterprise
// is another enterprise.
var tierCorporate = []float64{0, 0.5, 0.35, 0.12}

// noTier marks enterprises that hold no shares in background enterprises.
const noTier = 255

// day is a date as days since 1970-01-01.
type day int32

func dayOf(d models.Date) day { return day(d.Unix() / 86400) }

func ymd(y int, m time.Month, d int) day { return dayOf(models.NewDate(y, m, d)) }

func (d day) String() string { return time.Unix(int64(d)*86400, 0).UTC().Format(time.DateOnly) }

func (d day) date() models.Date { return models.DateOf(time.Unix(int64(d)*86400, 0)) }

func (d day) year() int { return time.Unix(int64(d)*86400, 0).UTC().Year() }

// genEnt is what the generator keeps per enterprise.
type genEnt struct {
	key      string
	capital  float64
	est      day
	place    int32 // index into places (foreign: into foreignPlaces)
	group    int32 // planted group, -1 for background
	parent   int32 // branch parent, -1
	addr     int32 // address cluster, -1 for an own address
	phone    int32 // phone cluster, -1 for an own phone
	pos      uint16
	trade    [3]uint16 // trade-name characters; trade[2] == noChar for two
	kind     models.EnterpriseKind
	status   models.Status
	tier     uint8
	industry uint8
	word     uint8
	suffix   uint8
	flags    uint8
}

const noChar = math.MaxUint16

// genGroup is one planted anomaly.
type genGroup struct {
	kind    AnomalyKind
	seq     int
	members []int32
	person  int32 // the designated person, -1 until created
	variant int   // restricted appointment: 0 serious violation, 1 revoked
	event   day   // restricted appointment: the event's date
	address string
	phone   string
	email   string
	records []string
	holds   []PlantedHolding
}

// cluster is a shared address or phone.
type cluster struct {
	value  string
	phone  int32 // address clusters: the phone cluster its members share, or -1
	size   int
	target int
}

type generator struct {
	opts  GenerateOptions
	today day

	// random streams: planning, enterprise text, persons, relationships, records
	rPlan, rText, rPers, rRel, rRec *rand.Rand

	places     []place
	placeCum   []float64
	industries []float64 // cumulative weights
	years      []float64 // cumulative weights of establishment years from 1995
	estFirst   int

	ents     []genEnt
	domestic int
	groups   []genGroup
	tiers    [4][]int32
	foreign  []int32
	addrs    []cluster
	phones   []cluster
	usccs    map[string]struct{}

	// persons
	nPersons     int32
	idNumbers    map[uint64]struct{}
	legalEnts    [][]int32
	officerN     []uint8
	legalPool    []int32
	sharePool    []int32
	officerPool  []int32
	personsTable *table

	tables  map[fileKind]*table
	recordN int
}

func newGenerator(opts GenerateOptions) *generator {
	seed := uint64(opts.Seed)
	stream := func(s uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, s*0x9E3779B97F4A7C15)) }
	g := &generator{
		opts:      opts,
		today:     dayOf(opts.Today),
		rPlan:     stream(streamPlan),
		rText:     stream(streamText),
		rPers:     stream(streamPersons),
		rRel:      stream(streamRelations),
		rRec:      stream(streamRecords),
		usccs:     map[string]struct{}{},
		idNumbers: map[uint64]struct{}{},
		tables:    map[fileKind]*table{},
	}
	// Places, weighted towards the big cities.
	codes := models.CountyCodes()
	perCity := map[string]int{}
	for _, c := range codes {
		perCity[c[:4]]++
	}
	sum := 0.0
	for _, c := range codes {
		w := 1.0
		if cw, ok := bigCities[c[:4]]; ok {
			w = cw / float64(perCity[c[:4]])
		}
		sum += w
		g.places = append(g.places, newPlace(c))
		g.placeCum = append(g.placeCum, sum)
	}
	sum = 0
	for _, in := range industries {
		sum += in.weight
		g.industries = append(g.industries, sum)
	}
	// Establishment years grow about 9 % a year; the reference year counts
	// for the part of it that has passed.
	g.estFirst = 1995
	sum = 0
	for y := g.estFirst; y <= opts.Today.Year(); y++ {
		w := math.Exp(0.09 * float64(y-g.estFirst))
		if y == opts.Today.Year() {
			w *= float64(opts.Today.YearDay()) / 365
		}
		sum += w
		g.years = append(g.years, sum)
	}
	return g
}

// --- random helpers ---

func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// between returns an int in [lo, hi].
func between(r *rand.Rand, lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + r.IntN(hi-lo+1)
}

func betweenDays(r *rand.Rand, lo, hi day) day {
	if hi <= lo {
		return lo
	}
	return lo + day(r.Int64N(int64(hi-lo)+1))
}

// skewIndex returns an index in [0, n) that favours small indexes: the
// share of picks landing on the first k of n is (k/n)^(1/a).
func skewIndex(r *rand.Rand, n int, a float64) int {
	i := int(float64(n) * math.Pow(r.Float64(), a))
	return min(i, n-1)
}

// pareto returns an int ≥ 1 with P(X ≥ x) = x^-alpha, capped at hi.
func pareto(r *rand.Rand, alpha float64, hi int) int {
	x := math.Floor(math.Pow(1-r.Float64(), -1/alpha))
	if x > float64(hi) {
		return hi
	}
	return int(x)
}

func logNormal(r *rand.Rand, median, sigma float64) float64 {
	return median * math.Exp(sigma*r.NormFloat64())
}

func pickCum(r *rand.Rand, cum []float64) int {
	x := r.Float64() * cum[len(cum)-1]
	return min(sort.SearchFloat64s(cum, x), len(cum)-1)
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// roundTo rounds v to a multiple of unit, at least unit.
func roundTo(v, unit float64) float64 { return max(unit, math.Round(v/unit)*unit) }

// --- planning ---

// anomalyMinSize is the smallest planted group of each kind, used to check the fit.
var anomalyMinSize = map[AnomalyKind]int{
	AnomalyCircularHolding: 3, AnomalyMutualHolding: 2, AnomalyShellCluster: 8, AnomalySerialLegalRep: 15,
	AnomalyRegistrationBurst: 5, AnomalyRestrictedAppointment: 2, AnomalyDeepLayering: 7,
}

func (g *generator) plan() error {
	n := g.opts.Enterprises
	nForeign := n / 200
	g.domestic = n - nForeign
	g.ents = make([]genEnt, n)
	for i := range g.ents {
		g.ents[i].group, g.ents[i].parent, g.ents[i].addr, g.ents[i].phone = -1, -1, -1, -1
	}
	r := g.rPlan
	perm := r.Perm(g.domestic)
	// Planted groups take random enterprises.
	need := 0
	for _, k := range AnomalyKinds {
		need += anomalyMinSize[k] * g.opts.Anomalies
	}
	if need > g.domestic*3/4 {
		return fmt.Errorf("generate: %d enterprises are too few for %d planted instances of each anomaly (they need %d); generate more or plant fewer",
			n, g.opts.Anomalies, need)
	}
	budget := g.domestic * 3 / 4
	next := 0
	take := func(k int) []int32 {
		out := make([]int32, k)
		for i := range out {
			out[i] = int32(perm[next])
			next++
		}
		return out
	}
	for _, kind := range AnomalyKinds {
		for s := 0; s < g.opts.Anomalies; s++ {
			size := g.groupSize(kind)
			if rest := budget - next - (need - anomalyMinSize[kind]); size > rest {
				size = max(anomalyMinSize[kind], rest)
			}
			need -= anomalyMinSize[kind]
			g.plant(kind, s+1, take(size))
		}
	}
	// Background enterprises: branches last, since they copy their parent.
	var branches []int32
	for _, i := range perm[next:] {
		if chance(r, 0.05) {
			branches = append(branches, int32(i))
			continue
		}
		g.background(int32(i))
	}
	var companies []int32
	for i := 0; i < g.domestic; i++ {
		e := &g.ents[i]
		if e.group < 0 && e.kind == models.EnterpriseCompany {
			companies = append(companies, int32(i))
		}
		if e.group < 0 && e.tier != noTier && e.kind != "" {
			g.tiers[e.tier] = append(g.tiers[e.tier], int32(i))
		}
	}
	sort.Slice(branches, func(a, b int) bool { return branches[a] < branches[b] })
	for _, i := range branches {
		g.branch(i, companies)
	}
	for i := g.domestic; i < n; i++ {
		g.foreignEnt(int32(i))
		g.foreign = append(g.foreign, int32(i))
	}
	g.clusters()
	for i := 0; i < g.domestic; i++ {
		if err := g.assignUSCC(int32(i)); err != nil {
			return err
		}
	}
	return nil
}

// groupSize draws the size of a planted group.
func (g *generator) groupSize(kind AnomalyKind) int {
	r := g.rPlan
	switch kind {
	case AnomalyCircularHolding:
		return between(r, 3, 4)
	case AnomalyMutualHolding, AnomalyRestrictedAppointment:
		return 2
	case AnomalyShellCluster:
		return between(r, 8, 16)
	case AnomalySerialLegalRep:
		return 14 + pareto(r, 1.2, 26)
	case AnomalyRegistrationBurst:
		return between(r, 5, 8)
	case AnomalyDeepLayering:
		return between(r, 7, 9)
	}
	return 0
}

func (g *generator) randomPlace() int32 { return int32(pickCum(g.rPlan, g.placeCum)) }

// randomEst draws an establishment date, not before lo.
func (g *generator) randomEst(lo day) day {
	r := g.rPlan
	for try := 0; ; try++ {
		y := g.estFirst + pickCum(r, g.years)
		first, last := ymd(y, time.January, 1), ymd(y, time.December, 31)
		d := betweenDays(r, first, min(last, g.today))
		if d >= lo || try >= 8 {
			return max(d, min(lo, g.today))
		}
	}
}

// tradeName draws the characters of a trade name.
func (g *generator) tradeName(e *genEnt) {
	r := g.rPlan
	e.trade[0] = uint16(r.IntN(len(tradeChars)))
	e.trade[1] = uint16(r.IntN(len(tradeChars)))
	e.trade[2] = noChar
	if chance(r, 0.3) {
		e.trade[2] = uint16(r.IntN(len(tradeChars)))
	}
	if chance(r, 0.1) {
		e.flags |= flagAltName
	}
}

// company sets up e as an operating company (or, with holding, a holding
// company) with the given median capital.
func (g *generator) company(e *genEnt, median float64, holding bool) {
	r := g.rPlan
	e.kind = models.EnterpriseCompany
	e.capital = roundTo(logNormal(r, median, 1.3), 10000)
	if holding {
		e.flags |= flagHolding
		e.industry = uint8(industryIndex("L72"))
		e.word = uint8(r.IntN(len(holdingWords)))
	} else {
		e.industry = uint8(pickCum(r, g.industries))
		e.word = uint8(r.IntN(len(industries[e.industry].words)))
	}
	switch {
	case e.capital >= 5e7 && chance(r, 0.5):
		e.suffix = suffixStock
	case holding && e.tier == 0 && chance(r, 0.4):
		e.suffix = suffixGroup
	case chance(r, 0.08):
		e.suffix = suffixLLC
	default:
		e.suffix = suffixLtd
	}
}

func (g *generator) partnership(e *genEnt, median float64) {
	r := g.rPlan
	e.kind = models.EnterprisePartnership
	e.flags |= flagHolding
	e.capital = roundTo(logNormal(r, median, 1.2), 10000)
	e.industry = uint8(industryIndex("L72"))
	e.word = uint8(r.IntN(len(partnershipWords)))
}

func industryIndex(code string) int {
	for i, in := range industries {
		if in.code == code {
			return i
		}
	}
	return 0
}

// background sets up a background (not planted) enterprise.
func (g *generator) background(i int32) {
	r := g.rPlan
	e := &g.ents[i]
	e.place = g.randomPlace()
	e.est = g.randomEst(0)
	g.tradeName(e)
	x := r.Float64()
	switch {
	case x < tierShares[0]:
		e.tier = 0
	case x < tierShares[0]+tierShares[1]:
		e.tier = 1
	case x < tierShares[0]+tierShares[1]+tierShares[2]:
		e.tier = 2
	default:
		e.tier = 3
	}
	switch e.tier {
	case 0, 1:
		median := [2]float64{5e7, 2e7}[e.tier]
		if chance(r, 0.25) {
			g.partnership(e, median/2)
		} else {
			g.company(e, median, true)
		}
	case 2:
		if chance(r, 0.05) {
			g.partnership(e, 5e6)
		} else {
			g.company(e, 5e6, chance(r, 0.2))
		}
	default:
		y := r.Float64()
		switch {
		case y < 0.06:
			e.kind, e.tier = models.EnterpriseIndividual, noTier
			e.industry = uint8(industryIndex(pick(r, []string{"F52", "H62", "O80"})))
			e.word = uint8(r.IntN(len(individualWords)))
			if chance(r, 0.5) {
				e.capital = roundTo(logNormal(r, 5e4, 0.8), 1000)
			}
		case y < 0.08:
			e.kind, e.tier = models.EnterpriseSoleProp, noTier
			e.industry = uint8(pickCum(r, g.industries))
			e.word = uint8(r.IntN(len(soleWords)))
			e.capital = roundTo(logNormal(r, 1e5, 1), 1000)
		case y < 0.10:
			e.kind, e.tier = models.EnterpriseCooperative, noTier
			e.industry = uint8(industryIndex("A01"))
			e.word = uint8(r.IntN(len(coopWords)))
			e.capital = roundTo(logNormal(r, 1e6, 1), 10000)
		case y < 0.12:
			g.partnership(e, 1e6)
		default:
			g.company(e, 1e6, false)
		}
	}
	// Status; revoked and serious-violation enterprises are "tainted".
	s := r.Float64()
	switch {
	case s < 0.84:
		e.status = models.StatusActive
	case s < 0.93:
		e.status = models.StatusCancelled
	case s < 0.98:
		e.status = models.StatusRevoked
		e.flags |= flagTainted
	case s < 0.99:
		e.status = models.StatusMovedOut
	default:
		e.status = models.StatusUnknown
	}
	if e.status != models.StatusRevoked && e.est < g.today-365 && chance(r, 0.015) {
		e.flags |= flagTainted | flagSerious
	}
}

// branch sets up a branch of a background company.
func (g *generator) branch(i int32, companies []int32) {
	r := g.rPlan
	e := &g.ents[i]
	if len(companies) == 0 {
		g.background(i)
		return
	}
	p := companies[skewIndex(r, len(companies), 2)]
	pe := &g.ents[p]
	e.kind, e.tier, e.parent = models.EnterpriseBranch, noTier, p
	e.industry, e.word = pe.industry, pe.word
	e.place = g.randomPlace()
	if chance(r, 0.4) {
		e.place = pe.place
	}
	e.est = betweenDays(r, pe.est, g.today)
	switch {
	case pe.status == models.StatusCancelled || pe.status == models.StatusRevoked:
		e.status = models.StatusCancelled
	case chance(r, 0.08):
		e.status = models.StatusCancelled
	default:
		e.status = models.StatusActive
	}
}

func (g *generator) foreignEnt(i int32) {
	r := g.rPlan
	e := &g.ents[i]
	e.kind, e.tier, e.status = models.EnterpriseForeign, noTier, models.StatusActive
	e.key = fmt.Sprintf("src:foreign:F%06d", i-int32(g.domestic)+1)
	e.place = int32(r.IntN(len(foreignPlaces)))
	e.est = g.randomEst(0)
	e.capital = roundTo(logNormal(r, 1e7, 1.2), 10000)
	e.trade[0], e.trade[1] = uint16(r.IntN(len(foreignWords))), uint16(r.IntN(len(foreignWords)))
	e.trade[2] = noChar
	if chance(r, 0.3) {
		e.trade[2] = uint16(r.IntN(len(tradeChars))) // Chinese name
	}
	e.word = uint8(r.IntN(len(foreignSuffixes)))
}

// plant sets up one planted anomaly on the given enterprises.
func (g *generator) plant(kind AnomalyKind, seq int, members []int32) {
	r := g.rPlan
	gi := int32(len(g.groups))
	grp := genGroup{kind: kind, seq: seq, members: members, person: -1}
	home := g.randomPlace()
	for k, i := range members {
		e := &g.ents[i]
		e.group, e.pos, e.tier = gi, uint16(k), noTier
		e.status = models.StatusActive
		e.place = home
		if kind == AnomalyDeepLayering || kind == AnomalyCircularHolding || chance(r, 0.3) {
			e.place = g.randomPlace()
		}
		e.est = g.randomEst(0)
		g.tradeName(e)
		g.company(e, 1e6, false)
	}
	switch kind {
	case AnomalyCircularHolding, AnomalyMutualHolding:
		for _, i := range members {
			g.company(&g.ents[i], 1e7, chance(r, 0.5))
		}
	case AnomalyShellCluster:
		est := betweenDays(r, g.today-6*365, g.today-30)
		pl := &g.places[home]
		grp.address = fmt.Sprintf("%s%s%d号%s%s%d栋%d室", pl.full, pick(r, roads), between(r, 1, 999),
			pick(r, tradeChars)+pick(r, tradeChars), pick(r, incubatorWords), between(r, 1, 12), between(r, 1, 30)*100+between(r, 1, 40))
		grp.phone = g.phoneFor(r, pl, true)
		grp.email = fmt.Sprintf("%d@qq.com", between(r, 100000, 999999999))
		ind := uint8(pickCum(r, g.industries))
		for _, i := range members {
			e := &g.ents[i]
			e.place, e.est, e.industry = home, est, ind
			e.word = uint8(r.IntN(len(industries[ind].words)))
			e.capital = pick(r, []float64{1000, 5000, 10000, 10000, 10000, 20000, 30000, 50000})
			e.suffix = suffixLtd
		}
	case AnomalySerialLegalRep:
		// Spread over years, at least 45 days apart: no 5 in any 30 days.
		n := day(len(members))
		from := ymd(2005, time.January, 1)
		step := betweenDays(r, 60, max(60, min(150, (g.today-from)/n-10)))
		step = min(step, (g.today-from)/n-10) // ≥ 81 days from 2015 on
		start := betweenDays(r, from, g.today-n*(step+10)-1)
		for k, i := range members {
			e := &g.ents[i]
			e.est = start + day(k)*step + betweenDays(r, 0, 10)
			if chance(r, 0.25) {
				e.status = models.StatusCancelled
			}
		}
	case AnomalyRegistrationBurst:
		start := betweenDays(r, g.today-5*365, g.today-40)
		for _, i := range members {
			e := &g.ents[i]
			e.est = start + betweenDays(r, 0, 29)
			e.capital = roundTo(logNormal(r, 3e5, 1), 10000)
		}
	case AnomalyRestrictedAppointment:
		grp.variant = (seq - 1) % 2
		first, second := &g.ents[members[0]], &g.ents[members[1]]
		grp.event = betweenDays(r, g.today-3*365+30, g.today-60)
		first.est = betweenDays(r, ymd(2000, time.January, 1), grp.event-2*365)
		second.est = betweenDays(r, grp.event+1, g.today)
		if grp.variant == 1 {
			first.status = models.StatusRevoked
		}
	case AnomalyDeepLayering:
		for k, i := range members {
			e := &g.ents[i]
			if k == len(members)-1 {
				g.company(e, 5e6, false)
				continue
			}
			if chance(r, 0.5) {
				g.partnership(e, 1e7)
			} else {
				g.company(e, 1e7, true)
			}
		}
	}
	g.groups = append(g.groups, grp)
}

// clusters gives some background enterprises shared addresses and phones
// (registration agents, incubators). Background clusters stay below the
// planted shell clusters' size of 8.
func (g *generator) clusters() {
	r := g.rPlan
	openAddr := map[int32]int32{} // place → cluster
	openPhone := int32(-1)
	for i := 0; i < g.domestic; i++ {
		e := &g.ents[i]
		if e.group >= 0 {
			continue
		}
		if chance(r, 0.07) {
			c, ok := openAddr[e.place]
			if !ok {
				pl := &g.places[e.place]
				cl := cluster{phone: -1, target: 1 + pareto(r, 1.3, 5)}
				cl.value = fmt.Sprintf("%s%s%d号%s%s%d栋%d室", pl.full, pick(r, roads), between(r, 1, 999),
					pick(r, tradeChars)+pick(r, tradeChars), pick(r, incubatorWords), between(r, 1, 12), between(r, 1, 30)*100+between(r, 1, 40))
				if chance(r, 0.5) {
					cl.phone = int32(len(g.phones))
					g.phones = append(g.phones, cluster{value: g.phoneFor(r, pl, chance(r, 0.5)), target: cl.target})
				}
				c = int32(len(g.addrs))
				g.addrs = append(g.addrs, cl)
				openAddr[e.place] = c
			}
			cl := &g.addrs[c]
			e.addr, e.phone = c, cl.phone
			if cl.size++; cl.size >= cl.target {
				delete(openAddr, e.place)
			}
			continue
		}
		if chance(r, 0.03) {
			if openPhone < 0 {
				openPhone = int32(len(g.phones))
				g.phones = append(g.phones, cluster{value: g.phoneFor(r, &g.places[e.place], false), target: 1 + pareto(r, 1.5, 4)})
			}
			cl := &g.phones[openPhone]
			e.phone = openPhone
			if cl.size++; cl.size >= cl.target {
				openPhone = -1
			}
		}
	}
}

// phoneFor draws a phone number: a landline of the place's area code, or a
// mobile number.
func (g *generator) phoneFor(r *rand.Rand, pl *place, landline bool) string {
	if landline && pl.area != "" {
		return fmt.Sprintf("%s-%d", pl.area, between(r, 20000000, 89999999))
	}
	return fmt.Sprintf("1%c%09d", "35789"[r.IntN(5)], r.IntN(1_000_000_000))
}

// usccChars are the characters of new-style organisation codes.
const usccChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var usccReform = ymd(2015, time.October, 1)

// assignUSCC gives a domestic enterprise a unique, valid USCC.
func (g *generator) assignUSCC(i int32) error {
	r := g.rPlan
	e := &g.ents[i]
	category := byte('1')
	switch e.kind {
	case models.EnterpriseIndividual:
		category = '2'
	case models.EnterpriseCooperative:
		category = '3'
	}
	var body [8]byte
	for try := 0; try < 100; try++ {
		if e.est >= usccReform && chance(r, 0.9) {
			body[0], body[1] = 'M', 'A'
			for k := 2; k < 8; k++ {
				body[k] = usccChars[r.IntN(len(usccChars))]
			}
		} else {
			for k := range body {
				body[k] = byte('0' + r.IntN(10))
			}
		}
		c, err := models.NewUSCC('9', category, g.places[e.place].code, string(body[:]))
		if err != nil {
			return fmt.Errorf("generate: %w", err)
		}
		if _, dup := g.usccs[string(c)]; !dup {
			g.usccs[string(c)] = struct{}{}
			e.key = string(c)
			return nil
		}
	}
	return errors.New("generate: could not draw a unique USCC")
}

// --- names ---

func (g *generator) trade(e *genEnt) string {
	s := tradeChars[e.trade[0]] + tradeChars[e.trade[1]]
	if e.trade[2] != noChar {
		s += tradeChars[e.trade[2]]
	}
	return s
}

// name returns an enterprise's name; it depends only on the planned
// attributes, so a branch can repeat its parent's.
func (g *generator) name(i int32) string {
	e := &g.ents[i]
	if e.kind == models.EnterpriseForeign {
		if e.trade[2] != noChar {
			return "香港" + tradeChars[e.trade[2]] + tradeChars[e.trade[0]%uint16(len(tradeChars))] + "国际控股有限公司"
		}
		return foreignWords[e.trade[0]] + " " + foreignWords[e.trade[1]] + " " + foreignSuffixes[e.word]
	}
	pl := &g.places[e.place]
	t := g.trade(e)
	switch e.kind {
	case models.EnterpriseIndividual:
		return pl.prefix + pl.county + t + individualWords[e.word]
	case models.EnterpriseCooperative:
		return pl.prefix + pl.county + t + coopWords[e.word]
	case models.EnterpriseSoleProp:
		return pl.prefix + t + soleWords[e.word]
	case models.EnterprisePartnership:
		return pl.prefix + t + partnershipWords[e.word]
	case models.EnterpriseBranch:
		pp := &g.places[g.ents[e.parent].place]
		where := pl.short
		if pp.city == pl.city && pl.county != pl.city {
			where = pl.county
		}
		return g.name(e.parent) + where + "分公司"
	}
	word := industries[e.industry].words[int(e.word)%len(industries[e.industry].words)]
	if e.flags&flagHolding != 0 {
		word = holdingWords[int(e.word)%len(holdingWords)]
	}
	if e.flags&flagAltName != 0 {
		return t + "（" + pl.short + "）" + word + companySuffixes[e.suffix]
	}
	return pl.prefix + t + word + companySuffixes[e.suffix]
}

// --- writing ---

// table is one CSV output file.
type table struct {
	f    *os.File
	b    *bufio.Writer
	w    *csv.Writer
	rows int
}

func (g *generator) open(kind fileKind) (*table, error) {
	f, err := os.Create(filepath.Join(g.opts.Out, kind.fileName()))
	if err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	b := bufio.NewWriterSize(f, 1<<20)
	t := &table{f: f, b: b, w: csv.NewWriter(b)}
	if err := t.w.Write(columns[kind]); err != nil {
		f.Close()
		return nil, err
	}
	g.tables[kind] = t
	return t, nil
}

func (t *table) write(rec []string) {
	_ = t.w.Write(rec) // errors surface in close through csv.Writer.Error
	t.rows++
}

func (t *table) close() error {
	t.w.Flush()
	err := t.w.Error()
	if e := t.b.Flush(); err == nil {
		err = e
	}
	if e := t.f.Close(); err == nil {
		err = e
	}
	return err
}

func (g *generator) writeAll() (err error) {
	for _, k := range fileKinds {
		if _, err := g.open(k); err != nil {
			g.closeAll()
			return err
		}
	}
	g.personsTable = g.tables[filePersons]
	g.writeEnterprises()
	g.writeRelations()
	g.writeBranches()
	g.writeRecords()
	g.writeKinship()
	g.writeLicences()
	g.writeControls()
	return g.closeAll()
}

func (g *generator) closeAll() error {
	var first error
	for _, k := range fileKinds {
		if t := g.tables[k]; t != nil {
			if err := t.close(); err != nil && first == nil {
				first = fmt.Errorf("generate: %s: %w", k.fileName(), err)
			}
		}
	}
	return first
}

func money(v float64) string {
	if v <= 0 {
		return ""
	}
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

func (g *generator) writeEnterprises() {
	t := g.tables[fileEnterprises]
	r := g.rText
	rec := make([]string, len(columns[fileEnterprises]))
	for i := range g.ents {
		e := &g.ents[i]
		clear(rec)
		rec[entName] = g.name(int32(i))
		rec[entKind] = string(e.kind)
		rec[entStatus] = string(e.status)
		rec[entEstablished] = e.est.String()
		if e.kind == models.EnterpriseForeign {
			fp := foreignPlaces[e.place]
			rec[entID] = e.key
			rec[entCapital], rec[entCurrency] = money(e.capital), fp.currency
			rec[entAddress] = fmt.Sprintf("%s%d号%d室", fp.address, between(r, 1, 999), between(r, 1, 60)*100+between(r, 1, 20))
			t.write(rec)
			continue
		}
		pl := &g.places[e.place]
		rec[entUSCC] = e.key
		rec[entCapital] = money(e.capital)
		if e.capital > 0 {
			rec[entCurrency] = "CNY"
		}
		if chance(r, 0.5) {
			rec[entRegion] = pl.code
		}
		rec[entIndustry] = industries[e.industry].code
		var grp *genGroup
		if e.group >= 0 {
			grp = &g.groups[e.group]
		}
		switch {
		case grp != nil && grp.kind == AnomalyShellCluster:
			rec[entAddress], rec[entPhone], rec[entEmail] = grp.address, grp.phone, grp.email
		default:
			if e.addr >= 0 {
				rec[entAddress] = g.addrs[e.addr].value
			} else {
				rec[entAddress] = g.ownAddress(r, e, pl)
			}
			if e.phone >= 0 {
				rec[entPhone] = g.phones[e.phone].value
			} else if chance(r, 0.9) {
				rec[entPhone] = g.phoneFor(r, pl, chance(r, 0.4))
			}
			if chance(r, 0.35) {
				if chance(r, 0.6) {
					rec[entEmail] = fmt.Sprintf("%d@qq.com", between(r, 100000, 3999999999))
				} else {
					rec[entEmail] = fmt.Sprintf("%s%d@%s", string([]byte{byte('a' + r.IntN(26)), byte('a' + r.IntN(26)), byte('a' + r.IntN(26))}),
						between(r, 1, 99999), pick(r, emailDomains))
				}
			}
		}
		t.write(rec)
	}
}

func (g *generator) ownAddress(r *rand.Rand, e *genEnt, pl *place) string {
	s := fmt.Sprintf("%s%s%d号", pl.full, pick(r, roads), between(r, 1, 1999))
	if chance(r, 0.6) {
		s += fmt.Sprintf("%s%s%d室", pick(r, tradeChars)+pick(r, tradeChars), pick(r, buildingWords), between(r, 1, 40)*100+between(r, 1, 30))
	}
	return s
}

// writeKinship writes relations.csv: about one person in a hundred is
// declared the spouse of another person drawn at random. The draws come
// from their own stream, so the other files stay as they were before
// relations existed; no anomaly is planted through them.
func (g *generator) writeKinship() {
	t := g.tables[fileRelations]
	k := streamKinship // a variable: the product wraps, as newGenerator's streams do
	r := rand.New(rand.NewPCG(uint64(g.opts.Seed), k*0x9E3779B97F4A7C15))
	if g.nPersons < 2 {
		return
	}
	for p := int32(0); p < g.nPersons; p++ {
		if !chance(r, 0.01) {
			continue
		}
		q := int32(r.IntN(int(g.nPersons - 1)))
		if q >= p {
			q++
		}
		t.write([]string{personID(p), personID(q), string(models.RelationSpouse), ""})
	}
}

// licenceKinds are the administrative licences the generator grants:
// name, the document-number abbreviation, the issuing department and the
// years of validity (0: no end).
var licenceKinds = []struct {
	name, abbr, dept, content string
	years                     int
}{
	{"食品经营许可证", "食经", "市场监督管理局", "预包装食品销售，散装食品销售", 5},
	{"道路运输经营许可证", "交运许", "交通运输局", "道路普通货物运输", 4},
	{"建筑施工企业安全生产许可证", "建安许", "住房和城乡建设局", "建筑施工", 3},
	{"排污许可证", "环许", "生态环境局", "大气污染物排放", 5},
	{"公共场所卫生许可证", "卫许", "卫生健康委员会", "住宿、美容美发", 4},
	{"医疗器械经营许可证", "械经", "市场监督管理局", "第三类医疗器械经营", 0},
}

// writeLicences grants a domestic enterprise an administrative licence
// one time in five: facts of the credit file, never risk.
func (g *generator) writeLicences() {
	t := g.tables[fileLicences]
	k := streamLicences
	r := rand.New(rand.NewPCG(uint64(g.opts.Seed), k*0x9E3779B97F4A7C15))
	n := 0
	for i := range g.ents {
		e := &g.ents[i]
		if e.kind == models.EnterpriseForeign || !chance(r, 0.2) {
			continue
		}
		pl := &g.places[e.place]
		lk := licenceKinds[r.IntN(len(licenceKinds))]
		decided := betweenDays(r, e.est, g.today)
		n++
		doc := fmt.Sprintf("%s%s〔%d〕%d号", pl.abbr, lk.abbr, decided.year(), between(r, 1, 5000))
		validTo := ""
		if lk.years > 0 {
			validTo = (decided + day(lk.years*365)).String()
		}
		t.write([]string{fmt.Sprintf("L%08d", n), e.key, lk.name, fmt.Sprintf("%s%s%06d", pl.abbr, lk.abbr, n), doc,
			lk.content, pl.city + lk.dept, decided.String(), decided.String(), validTo})
	}
}

func (g *generator) writeBranches() {
	t := g.tables[fileBranches]
	for i := range g.ents {
		if e := &g.ents[i]; e.parent >= 0 {
			t.write([]string{e.key, g.ents[e.parent].key})
		}
	}
}
