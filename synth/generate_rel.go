package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"riskgraph/models"
)

// This file generates the people, the relationships and the credit records
// of a synthetic data set, streaming rows as they are drawn.
//
// People are drawn from pools by preferential attachment (a person already
// used is picked in proportion to how often), which gives heavy-tailed
// degrees. Every person tied to a planted anomaly or to a revoked or
// serious-violation enterprise is new and used nowhere else, so that the
// background never repeats a planted pattern by chance: background legal
// representatives lead at most 8 enterprises, never two established within
// 60 days of each other, and holding chains are at most 5 enterprises deep
// (a foreign shareholder above holding tiers 0 to 3).

// maxBackgroundLegal bounds the enterprises a background person leads.
const maxBackgroundLegal = 8

// minLegalGap is the least number of days between the establishment dates
// of two enterprises a background person leads.
const minLegalGap = 60

// maxBackgroundOfficer bounds a background person's officer roles.
const maxBackgroundOfficer = 15

func personID(i int32) string {
	s := strconv.Itoa(int(i) + 1)
	if len(s) < 7 {
		s = "0000000"[:7-len(s)] + s
	}
	return "P" + s
}

var (
	birthFirst = ymd(1950, time.January, 1)
	birthLast  = ymd(2004, time.December, 31)
)

// newPerson draws a person and writes its persons row.
func (g *generator) newPerson() int32 {
	r := g.rPers
	idx := g.nPersons
	g.nPersons++
	g.legalEnts = append(g.legalEnts, nil)
	g.officerN = append(g.officerN, 0)
	var name, idn string
	if chance(r, 0.01) { // a foreign national: no mainland identity number
		name = pick(r, latinGiven) + " " + pick(r, latinFamily)
	} else {
		if chance(r, 0.005) {
			name = pick(r, compoundSurnames)
		} else {
			name = surnames[skewIndex(r, len(surnames), 2.2)]
		}
		name += pick(r, givenChars)
		if chance(r, 0.75) {
			name += pick(r, givenChars)
		}
		if chance(r, 0.985) {
			idn = g.idNumber(r)
		}
	}
	g.personsTable.write([]string{personID(idx), idn, name})
	return idx
}

// idNumber draws a unique, valid 18-character resident identity number.
func (g *generator) idNumber(r *rand.Rand) string {
	var b [18]byte
	for {
		code := g.places[pickCum(r, g.placeCum)].code
		birth := betweenDays(r, birthFirst, min(birthLast, g.today-18*365)).date()
		s := fmt.Sprintf("%s%04d%02d%02d%03d", code, birth.Year(), int(birth.Month()), birth.Day(), r.IntN(1000))
		n, _ := strconv.ParseUint(s, 10, 64)
		if _, dup := g.idNumbers[n]; dup {
			continue
		}
		g.idNumbers[n] = struct{}{}
		copy(b[:], s)
		b[17], _ = models.IDNumberCheckChar(s) // s is 17 digits
		return string(b[:])
	}
}

// --- rows ---

func ratioString(units int) string { return strconv.FormatFloat(float64(units)/10000, 'f', -1, 64) }

func (g *generator) hold(kind models.NodeKind, holder string, ent int32, units int, since day) {
	e := &g.ents[ent]
	g.tables[fileShareholdings].write([]string{string(kind), holder, e.key, ratioString(units),
		money(e.capital * float64(units) / 10000), since.String()})
}

func (g *generator) holdPerson(p, ent int32, units int, since day) {
	g.hold(models.KindPerson, personID(p), ent, units, since)
}

func (g *generator) holdEnt(h, ent int32, units int, since day) {
	g.hold(models.KindEnterprise, g.ents[h].key, ent, units, since)
}

func (g *generator) legalRep(p, ent int32, since, until day) {
	u := ""
	if until > 0 {
		u = until.String()
	}
	g.tables[fileLegalReps].write([]string{personID(p), g.ents[ent].key, since.String(), u})
}

func (g *generator) officer(p, ent int32, title string, since day) {
	g.tables[fileOfficers].write([]string{personID(p), g.ents[ent].key, title, since.String(), ""})
}

// --- pools ---

// canLead reports whether background person p may also lead an enterprise
// established on est.
func (g *generator) canLead(p int32, est day) bool {
	if len(g.legalEnts[p]) >= maxBackgroundLegal {
		return false
	}
	for _, j := range g.legalEnts[p] {
		if d := g.ents[j].est - est; d < minLegalGap && d > -minLegalGap {
			return false
		}
	}
	return true
}

// pickLegalRep draws the legal representative of enterprise i.
func (g *generator) pickLegalRep(i int32, fresh bool) int32 {
	if fresh {
		return g.newPerson()
	}
	r := g.rRel
	p := int32(-1)
	if len(g.legalPool) > 0 && chance(r, 0.2) {
		for try := 0; try < 3 && p < 0; try++ {
			if c := g.legalPool[r.IntN(len(g.legalPool))]; g.canLead(c, g.ents[i].est) {
				p = c
			}
		}
	}
	if p < 0 {
		p = g.newPerson()
	}
	g.legalEnts[p] = append(g.legalEnts[p], i)
	g.legalPool = append(g.legalPool, p)
	return p
}

// pickPerson draws a person from pool (or a new one) who is not in exclude;
// it does not record the use.
func (g *generator) pickPerson(pool []int32, reuse float64, fresh bool, exclude []int32, ok func(int32) bool) int32 {
	if !fresh && len(pool) > 0 && chance(g.rRel, reuse) {
		for try := 0; try < 3; try++ {
			c := pool[g.rRel.IntN(len(pool))]
			if !slices.Contains(exclude, c) && (ok == nil || ok(c)) {
				return c
			}
		}
	}
	return g.newPerson()
}

func (g *generator) pickShareholder(fresh bool, exclude []int32) int32 {
	p := g.pickPerson(g.sharePool, 0.6, fresh, exclude, nil)
	if !fresh {
		g.sharePool = append(g.sharePool, p)
	}
	return p
}

func (g *generator) pickOfficer(fresh bool, exclude []int32) int32 {
	p := g.pickPerson(g.officerPool, 0.6, fresh, exclude, func(c int32) bool { return g.officerN[c] < maxBackgroundOfficer })
	if !fresh {
		g.officerPool = append(g.officerPool, p)
		g.officerN[p] = min(g.officerN[p]+1, math.MaxUint8)
	}
	return p
}

// pickCorporate draws an enterprise shareholder for a tier-t enterprise
// from the tiers above it, favouring a few big holding companies.
func (g *generator) pickCorporate(t uint8) int32 {
	r := g.rRel
	if t == 0 || t == noTier {
		return -1
	}
	lower := int(t) - 1
	if t >= 2 && chance(r, 0.3) {
		lower = r.IntN(int(t))
	}
	list := g.tiers[lower]
	if len(list) == 0 {
		return -1
	}
	return list[skewIndex(r, len(list), 2.5)]
}

// splitUnits splits total ten-thousandths over n holders, largest first,
// each getting at least one; the sum is total.
func splitUnits(r *rand.Rand, n, total int) []int {
	w := make([]float64, n)
	sum := 0.0
	for k := range w {
		w[k] = r.ExpFloat64()
		sum += w[k]
	}
	slices.SortFunc(w, func(a, b float64) int {
		switch {
		case a > b:
			return -1
		case a < b:
			return 1
		}
		return 0
	})
	units := make([]int, n)
	used := 0
	for k := range w {
		units[k] = max(1, int(math.Floor(w[k]/sum*float64(total))))
		used += units[k]
	}
	units[0] += total - used // floor leaves a remainder; give it to the largest
	return units
}

// holder is a shareholder being drawn: a person or an enterprise.
type holder struct {
	ent bool
	idx int32
}

// drawHolders draws up to k distinct shareholders of enterprise i; first,
// when not negative, is the first (largest) one.
func (g *generator) drawHolders(i int32, k int, first int32, fresh bool) []holder {
	r := g.rRel
	e := &g.ents[i]
	var hs []holder
	var persons []int32
	if first >= 0 {
		hs = append(hs, holder{false, first})
		persons = append(persons, first)
		if !fresh {
			g.sharePool = append(g.sharePool, first)
		}
	}
	for tries := 0; len(hs) < k && tries < 3*k; tries++ {
		x := r.Float64()
		switch {
		case !fresh && e.tier != noTier && x < tierCorporate[e.tier]:
			if c := g.pickCorporate(e.tier); c >= 0 && !slices.Contains(hs, holder{true, c}) {
				hs = append(hs, holder{true, c})
			}
		case len(g.foreign) > 0 && x > 0.98:
			f := g.foreign[skewIndex(r, len(g.foreign), 2)]
			if !slices.Contains(hs, holder{true, f}) {
				hs = append(hs, holder{true, f})
			}
		default:
			p := g.pickShareholder(fresh, persons)
			hs = append(hs, holder{false, p})
			persons = append(persons, p)
		}
	}
	return hs
}

// writeHolders writes the shareholdings of enterprise i.
func (g *generator) writeHolders(i int32, hs []holder) {
	r := g.rRel
	e := &g.ents[i]
	if len(hs) == 0 {
		return
	}
	total := 10000
	if chance(r, 0.08) {
		total = between(r, 5000, 9999) // part of the capital undisclosed
	}
	units := splitUnits(r, len(hs), total)
	for k, h := range hs {
		since := e.est
		if chance(r, 0.15) {
			since = betweenDays(r, e.est, g.today)
		}
		if h.ent {
			g.holdEnt(h.idx, i, units[k], since)
		} else {
			g.holdPerson(h.idx, i, units[k], since)
		}
	}
}

func (g *generator) writeRelations() {
	for i := 0; i < g.domestic; i++ {
		if g.ents[i].group >= 0 {
			g.plantedRelations(int32(i))
		} else {
			g.backgroundRelations(int32(i))
		}
	}
}

func (g *generator) backgroundRelations(i int32) {
	r := g.rRel
	e := &g.ents[i]
	fresh := e.flags&flagTainted != 0
	later := func() day {
		if chance(r, 0.7) {
			return e.est
		}
		return betweenDays(r, e.est, g.today)
	}
	// leader appoints the legal representative, sometimes after a former one.
	leader := func() int32 {
		since := e.est
		if !fresh && e.est < g.today-730 && chance(r, 0.07) {
			since = betweenDays(r, e.est+180, g.today-30)
			g.legalRep(g.newPerson(), i, e.est, since)
		}
		p := g.pickLegalRep(i, fresh)
		g.legalRep(p, i, since, 0)
		return p
	}
	switch e.kind {
	case models.EnterpriseBranch:
		if chance(r, 0.9) {
			g.officer(g.newPerson(), i, "branch_head", e.est)
		}
	case models.EnterpriseIndividual:
		leader()
	case models.EnterpriseSoleProp:
		lr := leader()
		g.writeHolders(i, g.drawHolders(i, 1, lr, fresh))
	case models.EnterpriseCooperative:
		lr := leader()
		g.writeHolders(i, g.drawHolders(i, between(r, 5, 12), lr, fresh))
	case models.EnterprisePartnership:
		hs := g.drawHolders(i, 1+pareto(r, 1.3, 15), -1, fresh)
		exec := int32(-1)
		for _, h := range hs {
			if !h.ent {
				exec = h.idx
				break
			}
		}
		if exec < 0 {
			exec = g.pickOfficer(fresh, nil)
		}
		g.writeHolders(i, hs)
		g.officer(exec, i, "executive_partner", e.est)
	case models.EnterpriseCompany:
		lr := leader()
		big := (e.tier != noTier && e.tier <= 1) || e.suffix == suffixStock || e.capital >= 1e7
		maxHolders := 20
		if big {
			maxHolders = 50
		}
		first := int32(-1)
		if chance(r, 0.65) {
			first = lr
		}
		hs := g.drawHolders(i, pareto(r, 1.3, maxHolders), first, fresh)
		g.writeHolders(i, hs)
		var others []int32 // person shareholders other than the legal representative
		for _, h := range hs {
			if !h.ent && h.idx != lr {
				others = append(others, h.idx)
			}
		}
		g.companyOfficers(i, lr, others, big, fresh, later)
	}
}

// companyOfficers appoints the directors, supervisors and managers of a company.
func (g *generator) companyOfficers(i, lr int32, others []int32, big, fresh bool, since func() day) {
	r := g.rRel
	e := &g.ents[i]
	if !big {
		if chance(r, 0.85) {
			g.officer(lr, i, "executive_director", e.est)
		}
		if chance(r, 0.6) {
			g.officer(lr, i, "manager", e.est)
		}
		var sup int32
		if len(others) > 0 && chance(r, 0.5) {
			sup = others[0]
		} else {
			sup = g.pickOfficer(fresh, []int32{lr})
		}
		g.officer(sup, i, "supervisor", since())
		return
	}
	g.officer(lr, i, "chairman", e.est)
	board := []int32{lr}
	for n := between(r, 2, 6); n > 0; n-- {
		var p int32
		if k := len(board) - 1; k < len(others) && chance(r, 0.7) {
			p = others[k]
		} else {
			p = g.pickOfficer(fresh, board)
		}
		if slices.Contains(board, p) {
			continue
		}
		board = append(board, p)
		g.officer(p, i, "director", since())
	}
	supervisors := []int32{}
	for n := between(r, 1, 3); n > 0; n-- {
		p := g.pickOfficer(fresh, append(board, supervisors...))
		if slices.Contains(board, p) || slices.Contains(supervisors, p) {
			continue
		}
		title := "supervisor"
		if len(supervisors) == 0 && n == 3 {
			title = "chief_supervisor"
		}
		supervisors = append(supervisors, p)
		g.officer(p, i, title, since())
	}
	notSup := append(slices.Clone(supervisors), lr)
	if len(board) > 1 && chance(r, 0.5) {
		g.officer(board[1], i, "general_manager", since())
	} else if p := g.pickOfficer(fresh, notSup); !slices.Contains(supervisors, p) {
		g.officer(p, i, "general_manager", since())
	}
	if chance(r, 0.3) {
		if p := g.pickOfficer(fresh, notSup); !slices.Contains(supervisors, p) {
			g.officer(p, i, "cfo", since())
		}
	}
	if e.suffix == suffixStock && chance(r, 0.8) {
		if p := g.pickOfficer(fresh, notSup); !slices.Contains(supervisors, p) {
			g.officer(p, i, "board_secretary", since())
		}
	}
}

// plantedRelations writes the people and shareholders of a planted enterprise.
func (g *generator) plantedRelations(i int32) {
	r := g.rRel
	e := &g.ents[i]
	grp := &g.groups[e.group]
	if grp.holds == nil {
		grp.holds = make([]PlantedHolding, len(grp.members))
	}
	designated := func() int32 {
		if grp.person < 0 {
			grp.person = g.newPerson()
		}
		return grp.person
	}
	// Fills the rest of the capital with new persons.
	rest := func(units int) {
		if units <= 0 {
			return
		}
		n := between(r, 1, 2)
		if units < 2 {
			n = 1
		}
		for _, u := range splitUnits(r, n, units) {
			g.holdPerson(g.newPerson(), i, u, e.est)
		}
	}
	lead := func(p int32) {
		g.legalRep(p, i, e.est, 0)
		g.officer(p, i, "executive_director", e.est)
		g.officer(g.newPerson(), i, "supervisor", e.est)
	}
	switch grp.kind {
	case AnomalySerialLegalRep, AnomalyRegistrationBurst:
		lead(designated())
		rest(10000)
	case AnomalyRestrictedAppointment:
		p := designated()
		lead(p)
		if e.pos == 0 && chance(r, 0.5) {
			u := between(r, 30, 90) * 100
			g.holdPerson(p, i, u, e.est)
			rest(10000 - u)
		} else {
			rest(10000)
		}
	case AnomalyShellCluster:
		p := g.newPerson()
		lead(p)
		if chance(r, 0.7) {
			g.holdPerson(p, i, 10000, e.est)
		} else {
			g.holdPerson(p, i, 5000, e.est)
			rest(5000)
		}
	case AnomalyCircularHolding, AnomalyMutualHolding:
		n := len(grp.members)
		prev := grp.members[(int(e.pos)+n-1)%n]
		u := between(r, 20, 60) * 100
		g.holdEnt(prev, i, u, e.est)
		grp.holds[e.pos] = PlantedHolding{models.KindEnterprise, g.ents[prev].key, e.key, float64(u) / 10000}
		rest(10000 - u)
		lead(g.newPerson())
	case AnomalyDeepLayering:
		u := between(r, 51, 100) * 100
		if e.pos == 0 {
			p := designated()
			g.holdPerson(p, i, u, e.est)
			grp.holds[0] = PlantedHolding{models.KindPerson, personID(p), e.key, float64(u) / 10000}
		} else {
			prev := grp.members[e.pos-1]
			g.holdEnt(prev, i, u, e.est)
			grp.holds[e.pos] = PlantedHolding{models.KindEnterprise, g.ents[prev].key, e.key, float64(u) / 10000}
		}
		rest(10000 - u)
		if e.kind == models.EnterprisePartnership {
			g.officer(g.newPerson(), i, "executive_partner", e.est)
		} else {
			lead(g.newPerson())
		}
	}
}

// --- records ---

// recordKind describes how records of one kind are drawn.
type recordKind struct {
	kind           models.RecordKind
	sevLo, sevHi   float64
	removed        float64 // chance of being lifted
	remLo, remHi   day     // days after the decision when lifted
	amountMedian   float64 // 0: no amount
	amountChance   float64
	backgroundRate float64 // weight among background records
}

var recordKinds = []recordKind{
	{models.RecordPenalty, 0.25, 0.6, 0.25, 365, 3 * 365, 2e4, 0.8, 0.55},
	{models.RecordAbnormal, 0.2, 0.35, 0.5, 30, 2 * 365, 0, 0, 0.30},
	{models.RecordSeriousViolation, 0.8, 0.95, 0.1, 3 * 365, 5 * 365, 0, 0, 0},
	{models.RecordBlacklist, 0.85, 1, 0.1, 365, 3 * 365, 2e5, 0.5, 0.04},
	{models.RecordDishonestDebtor, 0.6, 0.8, 0.35, 30, 2 * 365, 1e5, 1, 0.06},
	{models.RecordTaxViolation, 0.6, 0.85, 0.15, 365, 3 * 365, 3e5, 1, 0.05},
}

var backgroundRecordCum = func() []float64 {
	var cum []float64
	sum := 0.0
	for _, k := range recordKinds {
		sum += k.backgroundRate
		cum = append(cum, sum)
	}
	return cum
}()

func recordKindOf(k models.RecordKind) *recordKind {
	for i := range recordKinds {
		if recordKinds[i].kind == k {
			return &recordKinds[i]
		}
	}
	return nil
}

var (
	penaltyDepts = []struct{ dept, abbr string }{
		{"市场监督管理局", "市监罚"}, {"市场监督管理局", "市监罚"}, {"市场监督管理局", "市监罚"}, {"市场监督管理局", "市监罚"},
		{"生态环境局", "环罚"}, {"应急管理局", "应急罚"}, {"城市管理和综合执法局", "城管罚"},
	}
	penaltyReasons   = []string{"虚假宣传", "销售不合格产品", "未按规定明码标价", "无照经营", "违反食品安全法规定", "侵犯注册商标专用权", "未取得许可从事经营活动", "未按规定履行安全生产义务"}
	abnormalReasons  = []string{"通过登记的住所或者经营场所无法联系", "未按照规定期限公示年度报告", "公示企业信息隐瞒真实情况、弄虚作假", "未在责令的期限内公示有关企业信息"}
	seriousReasons   = []string{"被列入经营异常名录届满3年仍未履行相关义务", "提交虚假材料或者采取其他欺诈手段隐瞒重要事实，取得公司登记", "因危害食品安全受到较重行政处罚"}
	blacklistDepts   = []struct{ dept, abbr, reason string }{{"人力资源和社会保障局", "人社黑", "拖欠农民工工资"}, {"交通运输局", "交运黑", "严重违法超限超载运输"}, {"应急管理局", "应急黑", "安全生产严重失信"}}
	taxReasons       = []string{"虚开增值税专用发票", "偷税", "逃避追缴欠税", "骗取出口退税"}
	dishonestReasons = []string{"有履行能力而拒不履行生效法律文书确定义务", "以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行", "违反限制消费令"}
)

// record writes one credit record and returns its record_id.
func (g *generator) record(subjectKind models.NodeKind, subject string, k models.RecordKind, pl *place, decided day, mayLift bool, reason string) string {
	r := g.rRec
	rk := recordKindOf(k)
	g.recordN++
	id := fmt.Sprintf("R%08d", g.recordN)
	y := decided.year()
	n := between(r, 1, 2000)
	var authority, doc string
	switch k {
	case models.RecordPenalty:
		d := pick(r, penaltyDepts)
		authority = pl.city + d.dept
		if chance(r, 0.3) && pl.county != pl.city {
			authority = pl.city + pl.county + d.dept
		}
		doc = fmt.Sprintf("%s%s〔%d〕%d号", pl.abbr, d.abbr, y, n)
		if reason == "" {
			reason = pick(r, penaltyReasons)
		}
	case models.RecordAbnormal:
		authority = pl.city + "市场监督管理局"
		doc = fmt.Sprintf("%s市监异〔%d〕%d号", pl.abbr, y, n)
		if reason == "" {
			reason = pick(r, abnormalReasons)
		}
	case models.RecordSeriousViolation:
		authority = pl.province + "市场监督管理局"
		doc = fmt.Sprintf("%s市监严〔%d〕%d号", provinceAbbr[pl.code[:2]], y, between(r, 1, 300))
		if reason == "" {
			reason = pick(r, seriousReasons)
		}
	case models.RecordBlacklist:
		d := pick(r, blacklistDepts)
		authority = pl.city + d.dept
		doc = fmt.Sprintf("%s%s〔%d〕%d号", pl.abbr, d.abbr, y, between(r, 1, 300))
		if reason == "" {
			reason = d.reason
		}
	case models.RecordDishonestDebtor:
		authority = pl.city + pl.county + "人民法院"
		if pl.county == pl.city {
			authority = pl.city + "中级人民法院"
		}
		doc = fmt.Sprintf("（%d）%s%s执%d号", y, provinceAbbr[pl.code[:2]], pl.code[2:6], between(r, 1, 20000))
		if reason == "" {
			reason = pick(r, dishonestReasons)
		}
	case models.RecordTaxViolation:
		authority = "国家税务总局" + pl.city + "税务局"
		doc = fmt.Sprintf("%s税稽罚〔%d〕%d号", pl.abbr, y, between(r, 1, 500))
		if reason == "" {
			reason = pick(r, taxReasons)
		}
	}
	sev := rk.sevLo + r.Float64()*(rk.sevHi-rk.sevLo)
	removed := ""
	if mayLift && chance(r, rk.removed) {
		if d := decided + betweenDays(r, rk.remLo, rk.remHi); d <= g.today {
			removed = d.String()
		}
	}
	amount := ""
	if rk.amountMedian > 0 && chance(r, rk.amountChance) {
		amount = money(roundTo(logNormal(r, rk.amountMedian, 1.4), 100))
	}
	g.tables[fileRecords].write([]string{id, string(subjectKind), subject, string(k),
		strconv.FormatFloat(sev, 'f', 2, 64), authority, decided.String(), removed, amount, doc, reason})
	return id
}

// disclosureStart is when enterprise credit records start (the enterprise
// information publicity system, 2014).
var disclosureStart = ymd(2014, time.March, 1)

func (g *generator) writeRecords() {
	for i := 0; i < g.domestic; i++ {
		e := &g.ents[i]
		if e.group >= 0 {
			g.plantedRecords(int32(i))
		} else {
			g.backgroundRecords(int32(i))
		}
	}
	r := g.rRec
	for p := int32(0); p < g.nPersons; p++ {
		if chance(r, 0.004) {
			pl := &g.places[pickCum(r, g.placeCum)]
			g.record(models.KindPerson, personID(p), models.RecordDishonestDebtor, pl, betweenDays(r, disclosureStart, g.today), true, "")
		}
	}
}

func (g *generator) backgroundRecords(i int32) {
	r := g.rRec
	e := &g.ents[i]
	if e.kind == models.EnterpriseForeign {
		return
	}
	pl := &g.places[e.place]
	lo := max(e.est+30, disclosureStart)
	if lo >= g.today {
		return
	}
	if e.flags&flagSerious != 0 {
		decided := betweenDays(r, max(e.est+365, disclosureStart+365), g.today-1)
		if ab := decided - 3*365 - betweenDays(r, 0, 100); ab >= lo {
			g.record(models.KindEnterprise, e.key, models.RecordAbnormal, pl, ab, false, abnormalReasons[0])
		}
		g.record(models.KindEnterprise, e.key, models.RecordSeriousViolation, pl, decided, true, "")
	}
	if e.status == models.StatusRevoked && chance(r, 0.85) {
		g.record(models.KindEnterprise, e.key, models.RecordAbnormal, pl, betweenDays(r, lo, g.today), false, "")
	}
	if !chance(r, 0.07) {
		return
	}
	for n := pareto(r, 1.6, 12); n > 0; n-- {
		k := recordKinds[pickCum(r, backgroundRecordCum)].kind
		g.record(models.KindEnterprise, e.key, k, pl, betweenDays(r, lo, g.today), true, "")
	}
}

func (g *generator) plantedRecords(i int32) {
	r := g.rRec
	e := &g.ents[i]
	grp := &g.groups[e.group]
	pl := &g.places[e.place]
	lo := max(e.est+30, disclosureStart)
	switch grp.kind {
	case AnomalyRestrictedAppointment:
		if e.pos != 0 {
			return
		}
		if grp.variant == 0 {
			if ab := grp.event - 3*365 - betweenDays(r, 0, 60); ab >= lo {
				g.record(models.KindEnterprise, e.key, models.RecordAbnormal, pl, ab, false, abnormalReasons[0])
			}
			grp.records = append(grp.records, g.record(models.KindEnterprise, e.key, models.RecordSeriousViolation, pl, grp.event, false, ""))
		} else {
			ab := max(lo, grp.event-betweenDays(r, 200, 700))
			grp.records = append(grp.records, g.record(models.KindEnterprise, e.key, models.RecordAbnormal, pl, min(ab, grp.event), false, abnormalReasons[0]))
		}
	case AnomalyShellCluster:
		if e.est+180 < g.today && chance(r, 0.4) {
			grp.records = append(grp.records, g.record(models.KindEnterprise, e.key, models.RecordAbnormal, pl,
				betweenDays(r, e.est+180, g.today), false, abnormalReasons[0]))
		}
	}
}

// --- ground truth ---

func (g *generator) groundTruth() *GroundTruth {
	gt := &GroundTruth{
		Format:        GroundTruthFormat,
		Seed:          g.opts.Seed,
		Enterprises:   g.opts.Enterprises,
		ReferenceDate: g.opts.Today,
		Rows:          map[string]int{},
		Anomalies:     []Anomaly{},
	}
	for k, t := range g.tables {
		gt.Rows[k.fileName()] = t.rows
	}
	for gi := range g.groups {
		grp := &g.groups[gi]
		a := Anomaly{ID: fmt.Sprintf("%s-%04d", grp.kind, grp.seq), Kind: grp.kind, Records: grp.records}
		lo, hi := day(math.MaxInt32), day(0)
		for _, m := range grp.members {
			a.Enterprises = append(a.Enterprises, g.ents[m].key)
			lo, hi = min(lo, g.ents[m].est), max(hi, g.ents[m].est)
		}
		if grp.person >= 0 {
			a.Persons = []string{personID(grp.person)}
		}
		n := len(grp.members)
		switch grp.kind {
		case AnomalyCircularHolding, AnomalyMutualHolding:
			// holds[k] is members[k-1] → members[k]; start the list at members[0] → members[1].
			a.Holdings = append(slices.Clone(grp.holds[1:]), grp.holds[0])
			if n == 2 {
				a.Note = "the two enterprises hold shares in each other"
			} else {
				a.Note = fmt.Sprintf("each of the %d enterprises holds shares in the next, the last in the first", n)
			}
		case AnomalyShellCluster:
			a.Address, a.Phone = grp.address, grp.phone
			a.From, a.To = lo.date(), hi.date()
			a.Note = fmt.Sprintf("%d enterprises established on %s at one address with one phone and one email, registered capital 1000-50000 yuan", n, lo)
		case AnomalySerialLegalRep:
			a.From, a.To = lo.date(), hi.date()
			a.Note = fmt.Sprintf("the person is legal representative of %d enterprises established %s to %s, at least 45 days apart", n, lo, hi)
		case AnomalyRegistrationBurst:
			a.From, a.To = lo.date(), hi.date()
			a.Note = fmt.Sprintf("the person is legal representative of %d enterprises established within %d days (%s to %s)", n, hi-lo+1, lo, hi)
		case AnomalyRestrictedAppointment:
			second := g.ents[grp.members[1]].est
			a.From, a.To = grp.event.date(), second.date()
			if grp.variant == 0 {
				a.Note = fmt.Sprintf("the person is legal representative of the first enterprise, which got a serious_violation record on %s, and became legal representative of the second on %s", grp.event, second)
			} else {
				a.Note = fmt.Sprintf("the person is legal representative of the first enterprise, which is revoked (nominally on %s, after the abnormal_operations record given) and became legal representative of the second on %s", grp.event, second)
			}
		case AnomalyDeepLayering:
			a.Holdings = slices.Clone(grp.holds)
			a.Note = fmt.Sprintf("the person controls the last enterprise through a chain of %d controlling holdings (%d intermediate enterprises)", n, n-1)
		}
		gt.Anomalies = append(gt.Anomalies, a)
	}
	return gt
}
