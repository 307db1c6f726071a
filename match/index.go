package match

import (
	"errors"
	"sort"
	"strings"
	"sync"

	"riskgraph/models"
	"riskgraph/store"
)

// The candidate index. Built from a scan of every enterprise and person
// (FromStore), then either read as it is by any number of queries at once,
// or kept current by a Live, which applies written batches to it under its
// lock (docs/matching.md, "Live index").
//
//	grams   character bigram of a normalised core name (both readings,
//	        Name.Core and Name.Alt) → enterprises whose core has it
//	uscc    USCC → enterprise; org code (USCC characters 9–17) → enterprise;
//	regNo   15-digit registration number → enterprise (from source keys
//	        src:<source>:<15 digits>)
//	phone   last 7 digits of a normalised phone → enterprises
//	email   normalised e-mail → enterprises
//	byKey   enterprise key → enterprise
//	persons pid → person; normalised person name → persons; per person
//	        the enterprises it is linked to (legal representative, officer,
//	        shareholder)
//
// plus, per enterprise, the normal forms the scorer compares (entry).
// A query never scans the enterprises: its candidates are the union of its
// exact-code hits and the enterprises sharing the most core bigrams with
// it, read from the posting lists (docs/matching.md gives the memory per
// enterprise).

// entry is one indexed enterprise's comparison data.
type entry struct {
	key, name, uscc string
	region          string // division code: the region field, else the USCC's
	nm              Name
	addr            Address
	phone, email    string
	legalRep        string  // the current legal representative's name, normalised
	rep             int32   // that person's position in Index.pers, -1 when unknown
	people          []int32 // persons linked to it (person.links the other way)
}

// person is one indexed person.
type person struct {
	pid, name string
	norm      string  // NormalizePersonName(name)
	links     []int32 // enterprises the person is legal representative, officer or shareholder of
}

// Index is a candidate index over enterprises and persons. Its methods may
// be called concurrently as long as nothing modifies it; Live modifies one
// under a lock.
type Index struct {
	ents  []entry
	ng    []uint8 // per enterprise: size of its bigram set (both readings), for the Dice bound
	byKey map[string]int32
	grams map[uint64][]int32
	uscc  map[string]int32
	org   map[string]int32
	regNo map[string]int32
	phone chain // last 7 digits of the phone → enterprises
	email chain

	pers    []person
	byPID   map[string]int32
	byPName chain // normalised name → persons

	regions map[string]string // interned division codes

	scratch sync.Pool // *scratch
}

// newIndex returns an empty index.
func newIndex() *Index {
	return &Index{byKey: map[string]int32{}, grams: map[uint64][]int32{}, uscc: map[string]int32{}, org: map[string]int32{},
		regNo: map[string]int32{}, phone: newChain(), email: newChain(),
		byPID: map[string]int32{}, byPName: newChain(), regions: map[string]string{}}
}

// Builder collects enterprises and persons for an Index. The zero value is
// not ready; use NewBuilder.
type Builder struct {
	ix *Index
}

// NewBuilder returns an empty builder.
func NewBuilder() *Builder { return &Builder{ix: newIndex()} }

// Add indexes an enterprise. Placeholders (nodes known only from a
// relationship) carry no name and are skipped; a key added twice keeps
// the first.
func (b *Builder) Add(e models.Enterprise) {
	if _, dup := b.ix.byKey[e.Key]; dup {
		return
	}
	b.ix.putEnterprise(e)
}

// AddPerson indexes a person (by pid and name). Placeholders are skipped;
// a pid added twice keeps the last name.
func (b *Builder) AddPerson(p models.Person) { b.ix.putPerson(p) }

// AddRole links a person to an enterprise; a current legal representative
// (Until zero) becomes the enterprise's legal_rep. The enterprise must be
// added first; a role whose person is unknown links a pid without a name,
// which only a pid query finds until AddPerson names it.
func (b *Builder) AddRole(r models.Role) { b.ix.putRole(r, false) }

// AddHolding links a person holding shares to the enterprise; holdings of
// enterprises are not indexed.
func (b *Builder) AddHolding(s models.Shareholding) { b.ix.putHolding(s) }

// SetLegalRep records the name of an enterprise's legal representative
// (only the comparison form is kept). Unknown keys are ignored.
func (b *Builder) SetLegalRep(key, name string) {
	if i, ok := b.ix.byKey[key]; ok {
		b.ix.ents[i].legalRep = NormalizePersonName(name)
		b.ix.ents[i].rep = -1
	}
}

// Build returns the index; the builder must not be used afterwards.
func (b *Builder) Build() *Index {
	ix := b.ix
	b.ix = nil
	return ix
}

// Len is the number of indexed enterprises.
func (ix *Index) Len() int { return len(ix.ents) }

// Persons is the number of indexed persons.
func (ix *Index) Persons() int { return len(ix.pers) }

// --- adding and replacing ---

// putEnterprise adds an enterprise, or replaces the one with its key.
// Placeholders are skipped (the stores never let one replace an enterprise).
func (ix *Index) putEnterprise(e models.Enterprise) {
	if e.Placeholder || e.Key == "" {
		return
	}
	en := entry{key: e.Key, name: e.Name, uscc: NormalizeUSCC(e.USCC), region: e.Region,
		nm: NormalizeName(e.Name), addr: NormalizeAddress(e.Address),
		phone: NormalizePhone(e.Phone), email: NormalizeEmail(e.Email), rep: -1}
	if en.uscc == "" {
		en.uscc = NormalizeUSCC(e.Key)
	}
	if en.uscc == e.Key {
		en.uscc = e.Key // one copy of the string
	}
	en.region = ix.internRegion(en.region)
	if en.region == "" && en.uscc != "" {
		en.region = models.USCC(en.uscc).Division()
	}
	regNo := ""
	if rest, ok := strings.CutPrefix(e.Key, "src:"); ok {
		if j := strings.LastIndexByte(rest, ':'); j >= 0 {
			if regNo = NormalizeRegNo(rest[j+1:]); regNo != "" && en.region == "" {
				en.region = regNo[:6]
			}
		}
	}
	i, replace := ix.byKey[e.Key]
	if replace {
		old := &ix.ents[i]
		en.key = old.key // one copy of the key string (the map holds it too)
		en.legalRep, en.rep, en.people = old.legalRep, old.rep, old.people
		ix.unpost(i, old)
	} else {
		i = int32(len(ix.ents))
		ix.ents = append(ix.ents, en)
		ix.ng = append(ix.ng, 0)
		ix.byKey[e.Key] = i
	}
	ix.ents[i] = en
	ix.post(i, &ix.ents[i], regNo)
}

// internRegion returns the index's one copy of a division code (one
// string for all enterprises of a division).
func (ix *Index) internRegion(code string) string {
	if len(code) != 6 {
		return code
	}
	if c, ok := ix.regions[code]; ok {
		return c
	}
	ix.regions[code] = code
	return code
}

// post enters enterprise i into the maps.
func (ix *Index) post(i int32, en *entry, regNo string) {
	if en.uscc != "" {
		ix.uscc[en.uscc] = i
		ix.org[models.USCC(en.uscc).OrgCode()] = i
	}
	if regNo != "" {
		ix.regNo[regNo] = i
	}
	gs := nameGrams(&en.nm, nil)
	for _, g := range gs {
		ix.grams[g] = append(ix.grams[g], i)
	}
	ix.ng[i] = uint8(min(len(gs), 255))
	if en.phone != "" {
		t := phoneTail(en.phone)
		ix.phone.add(t, i)
	}
	if en.email != "" {
		ix.email.add(en.email, i)
	}
}

// unpost takes enterprise i out of the maps it was entered into.
func (ix *Index) unpost(i int32, en *entry) {
	if en.uscc != "" {
		if ix.uscc[en.uscc] == i {
			delete(ix.uscc, en.uscc)
		}
		if oc := models.USCC(en.uscc).OrgCode(); ix.org[oc] == i {
			delete(ix.org, oc)
		}
	}
	if rest, ok := strings.CutPrefix(en.key, "src:"); ok {
		if j := strings.LastIndexByte(rest, ':'); j >= 0 {
			if rn := NormalizeRegNo(rest[j+1:]); rn != "" && ix.regNo[rn] == i {
				delete(ix.regNo, rn)
			}
		}
	}
	for _, g := range nameGrams(&en.nm, nil) {
		ix.grams[g] = without(ix.grams[g], i)
		if len(ix.grams[g]) == 0 {
			delete(ix.grams, g)
		}
	}
	if en.phone != "" {
		ix.phone.remove(phoneTail(en.phone), i)
	}
	if en.email != "" {
		ix.email.remove(en.email, i)
	}
}

// without removes i from a posting list (whose order does not matter).
func without(l []int32, i int32) []int32 {
	for k, v := range l {
		if v == i {
			l[k] = l[len(l)-1]
			return l[:len(l)-1]
		}
	}
	return l
}

// nameGrams appends to buf the distinct bigrams of a name's readings.
func nameGrams(n *Name, buf []uint64) []uint64 {
	buf = appendGrams(buf, n.Core)
	if n.Alt != "" {
		buf = appendGrams(buf, n.Alt)
	}
	return dedupe(buf)
}

// appendGrams appends the character bigrams of s (a one-character s is
// its own gram) to buf.
func appendGrams(buf []uint64, s string) []uint64 {
	var prev rune = -1
	n := 0
	for _, r := range s {
		if prev >= 0 {
			buf = append(buf, uint64(prev)<<32|uint64(r))
		}
		prev = r
		n++
	}
	if n == 1 {
		buf = append(buf, uint64(prev))
	}
	return buf
}

// dedupe sorts gs and drops repeats.
func dedupe(gs []uint64) []uint64 {
	if len(gs) < 2 {
		return gs
	}
	sort.Slice(gs, func(a, b int) bool { return gs[a] < gs[b] })
	out := gs[:1]
	for _, g := range gs[1:] {
		if g != out[len(out)-1] {
			out = append(out, g)
		}
	}
	return out
}

// putPerson adds a person or renames the one with its pid.
func (ix *Index) putPerson(p models.Person) {
	if p.PID == "" || p.Placeholder { // a placeholder never renames a person (as in the stores)
		return
	}
	i, ok := ix.byPID[p.PID]
	if !ok {
		i = int32(len(ix.pers))
		ix.pers = append(ix.pers, person{pid: p.PID})
		ix.byPID[p.PID] = i
	}
	ps := &ix.pers[i]
	if ps.name == p.Name && ok {
		return
	}
	if ps.norm != "" {
		ix.byPName.remove(ps.norm, i)
	}
	ps.name, ps.norm = p.Name, NormalizePersonName(p.Name)
	if ps.norm == ps.name {
		ps.norm = ps.name // one copy
	}
	if ps.norm != "" {
		ix.byPName.add(ps.norm, i)
	}
	// Enterprises whose legal representative this is see the new name.
	for _, e := range ps.links {
		if ix.ents[e].rep == i {
			ix.ents[e].legalRep = ps.norm
		}
	}
}

// personOf returns the position of the person with pid, adding a nameless
// one when it is unknown.
func (ix *Index) personOf(pid string) int32 {
	if i, ok := ix.byPID[pid]; ok {
		return i
	}
	i := int32(len(ix.pers))
	ix.pers = append(ix.pers, person{pid: pid})
	ix.byPID[pid] = i
	return i
}

// link records that person p is tied to enterprise e.
func (ix *Index) link(p, e int32) {
	ps := &ix.pers[p]
	for _, x := range ps.links {
		if x == e {
			return
		}
	}
	ps.links = append(ps.links, e)
	ix.ents[e].people = append(ix.ents[e].people, p)
}

// putRole links the role's person to its enterprise and keeps the
// enterprise's current legal representative; with ended, a legal
// representative's role that ended clears it.
func (ix *Index) putRole(r models.Role, ended bool) {
	e, ok := ix.byKey[r.Enterprise]
	if !ok || r.Person == "" {
		return
	}
	p := ix.personOf(r.Person)
	ix.link(p, e)
	if r.Kind != models.RoleLegalRep {
		return
	}
	en := &ix.ents[e]
	switch {
	case r.Until.IsZero():
		en.rep, en.legalRep = p, ix.pers[p].norm
	case ended && en.rep == p: // the current legal representative left
		en.rep, en.legalRep = -1, ""
	}
}

// apply enters a written batch: enterprises added or replaced by key,
// persons added or renamed, roles and person shareholdings linked. Ended
// roles are applied before current ones, so a batch that ends one legal
// representative's role and starts another's leaves the new one.
func (ix *Index) apply(b *store.Batch) {
	for _, e := range b.Enterprises {
		ix.putEnterprise(e)
	}
	for _, p := range b.Persons {
		ix.putPerson(p)
	}
	for _, r := range b.Roles {
		if !r.Until.IsZero() {
			ix.putRole(r, true)
		}
	}
	for _, r := range b.Roles {
		if r.Until.IsZero() {
			ix.putRole(r, true)
		}
	}
	for _, s := range b.Shareholdings {
		ix.putHolding(s)
	}
}

// putHolding links a person holding shares to the enterprise.
func (ix *Index) putHolding(s models.Shareholding) {
	if s.Holder.Kind != models.KindPerson || s.Holder.Key == "" {
		return
	}
	if e, ok := ix.byKey[s.Enterprise]; ok {
		ix.link(ix.personOf(s.Holder.Key), e)
	}
}

// --- queries ---

// Query is one thing to find. Any field may be empty, but at least one of
// Name, USCC, OrgCode, RegNo, Phone, Email must be usable (for a person:
// Name or an identity number).
type Query struct {
	Name     string `json:"name,omitempty"`
	USCC     string `json:"uscc,omitempty"`
	OrgCode  string `json:"org_code,omitempty"`
	RegNo    string `json:"reg_no,omitempty"`
	Address  string `json:"address,omitempty"`
	Phone    string `json:"phone,omitempty"`
	Email    string `json:"email,omitempty"`
	LegalRep string `json:"legal_rep,omitempty"`
	Region   string `json:"region,omitempty"`
	// Kind is "enterprise" (or empty) or "person".
	Kind string `json:"kind,omitempty"`
	// IDNumber is a person's identity number as the caller received it. The
	// index never sees it: the caller validates it and hashes it into PID
	// with the deployment's models.PIDHasher (FromIDNumber), and clears it;
	// Match refuses a query that still carries one.
	IDNumber string `json:"id_number,omitempty"`
	// PID is the hashed identity number of a person query (never read from
	// JSON: only a caller holding the pid key sets it).
	PID string `json:"-"`
	// Enterprise names an enterprise a person query's person is linked to
	// (legal representative, officer, shareholder): a name, a USCC or a key.
	Enterprise string `json:"enterprise,omitempty"`
}

// Errors of a query that cannot be answered; their text says what to give.
var (
	// ErrNoFeature is returned for an enterprise query with nothing to look up by.
	ErrNoFeature = errors.New("give at least one of name, uscc (18 characters), org_code (9 characters), reg_no (15 digits), phone or email")
	// ErrNoPersonFeature is returned for a person query with nothing to look up by.
	ErrNoPersonFeature = errors.New(`kind "person": give name or id_number (enterprise and region only support them)`)
	// ErrKind is returned for a query whose kind is neither enterprise nor person.
	ErrKind = errors.New(`kind: use "enterprise" (the default) or "person"`)
	// ErrUnhashedID is returned for a query that still carries an identity
	// number: the caller must hash it into PID first.
	ErrUnhashedID = errors.New("id_number: the caller must hash it into PID before matching")
)

// Candidate kinds (Candidate.Kind).
const (
	KindEnterprise = "enterprise"
	KindPerson     = "person"
)

// Candidate is one ranked answer to a query: an enterprise (Key its key)
// or a person (Key its pid).
type Candidate struct {
	Kind  string  `json:"kind"`
	Key   string  `json:"key"`
	Name  string  `json:"name"` // an enterprise's registered name or a person's name (Masked)
	Score float64 `json:"score"`
	Match bool    `json:"match"`
	// Features holds, per compared feature, how far it agreed in [0,1].
	Features Features `json:"features"`
	// support sums the evidence beside the name (evidence.support): it
	// orders candidates of equal score, so that the one with more agreeing
	// evidence comes first.
	support float64
}

// Masked returns the candidate as a role that must not see persons' names
// sees it (models/mask.go): a person's name masked to its first character
// and its pid withheld (a person query may carry an identity number, and
// the pid it leads to would let the caller recognise the person in other
// answers). An enterprise is left as it is.
func (c Candidate) Masked() Candidate {
	if c.Kind == KindPerson {
		c.Name = models.MaskName(c.Name)
		c.Key = ""
	}
	return c
}

// Features is a candidate's evidence: per feature compared, how far it
// agreed in [0,1]; a feature absent from the query or the candidate is
// absent (nil) here.
type Features struct {
	Name       *float64 `json:"name,omitempty"`
	USCC       *float64 `json:"uscc,omitempty"`
	OrgCode    *float64 `json:"org_code,omitempty"`
	RegNo      *float64 `json:"reg_no,omitempty"`
	LegalForm  *float64 `json:"legal_form,omitempty"`
	Region     *float64 `json:"region,omitempty"`
	Branch     *float64 `json:"branch,omitempty"`
	Address    *float64 `json:"address,omitempty"`
	Phone      *float64 `json:"phone,omitempty"`
	Email      *float64 `json:"email,omitempty"`
	LegalRep   *float64 `json:"legal_rep,omitempty"`
	IDNumber   *float64 `json:"id_number,omitempty"`
	Enterprise *float64 `json:"enterprise,omitempty"`
}

// featureNames are the JSON names of Features' fields, in order; the
// feature indices (fName …) follow it.
var featureNames = [...]string{"name", "uscc", "org_code", "reg_no", "legal_form", "region", "branch", "address", "phone", "email", "legal_rep", "id_number", "enterprise"}

// Feature indices, in the order of featureNames.
const (
	fName = iota
	fUSCC
	fOrgCode
	fRegNo
	fLegalForm
	fRegion
	fBranch
	fAddress
	fPhone
	fEmail
	fLegalRep
	fIDNumber
	fEnterprise
	nFeatures
)

func (f *Features) slots() [nFeatures]**float64 {
	return [...]**float64{&f.Name, &f.USCC, &f.OrgCode, &f.RegNo, &f.LegalForm, &f.Region, &f.Branch, &f.Address,
		&f.Phone, &f.Email, &f.LegalRep, &f.IDNumber, &f.Enterprise}
}

// Map returns the features present, by their JSON names.
func (f *Features) Map() map[string]float64 {
	m := map[string]float64{}
	for i, p := range f.slots() {
		if *p != nil {
			m[featureNames[i]] = **p
		}
	}
	return m
}

// evidence is the scorer's allocation-free form of Features.
type evidence struct {
	v   [nFeatures]float64
	has uint16
	// nameRegion says the query's region came from its name (not from its
	// region field or reg no).
	nameRegion bool
}

func (ev *evidence) set(i int, v float64) {
	ev.v[i] = round(v)
	ev.has |= 1 << i
}

func (ev *evidence) get(i int) (float64, bool) { return ev.v[i], ev.has&(1<<i) != 0 }

// support adds up the agreement of the features that are evidence beside
// the name: codes, address, phone, e-mail, legal representative, a region
// the query gave apart from its name, an identity number, a linked
// enterprise. It orders candidates of equal score, and two candidates of
// equal score and support tie. What the name itself says (its similarity,
// legal form, branch, the region its prefix names) is left out: two
// readings of one name must not count the same characters twice (新宁电子科技
// read as core 电子科技 in 新宁县, or as the trade name 新宁电子科技).
func (ev *evidence) support() float64 {
	t := 0.0
	for i := range nFeatures {
		if ev.has&(1<<i) == 0 {
			continue
		}
		switch {
		case i == fName, i == fLegalForm, i == fBranch, i == fRegion && ev.nameRegion:
			continue
		}
		t += ev.v[i]
	}
	return t
}

// features renders the evidence as Features (one allocation for all the
// values).
func (ev *evidence) features() Features {
	var f Features
	if ev.has == 0 {
		return f
	}
	own := new([nFeatures]float64)
	*own = ev.v
	for i, p := range f.slots() {
		if ev.has&(1<<i) != 0 {
			*p = &own[i]
		}
	}
	return f
}

// Tuning of candidate generation.
const (
	// maxGramCandidates is how many enterprises with the best bigram
	// overlap (the Dice bound of their bigram sets) are scored.
	maxGramCandidates = 48
	// maxTiedCandidates bounds the candidates scored when more than
	// maxGramCandidates share the best bounds.
	maxTiedCandidates = 256
	// commonGram is the posting length above which a bigram is read only
	// when the query has no rarer one (such bigrams, e.g. 科技, say little).
	commonGram = 20_000
	// maxNamesakes bounds the persons of one name a person query scores.
	maxNamesakes = 5_000
)

// scored is a candidate while Match ranks them.
type scored struct {
	id      int32
	s       float64
	support float64
	ev      evidence
}

// scratch holds a query's reusable buffers.
type scratch struct {
	count   []uint8
	touched []int32
	heap    []boundID
	grams   []uint64
	g2      []uint64
	lists   []posting
	cands   []int32
	gids    []int32
	scored  []scored
	ra, rb  []rune
	ma, mb  []bool
}

func (ix *Index) getScratch() *scratch {
	sc, _ := ix.scratch.Get().(*scratch)
	if sc == nil {
		sc = &scratch{}
	}
	if len(sc.count) < len(ix.ents) {
		sc.count = make([]uint8, len(ix.ents)+len(ix.ents)/8)
	}
	return sc
}

func (ix *Index) putScratch(sc *scratch) { ix.scratch.Put(sc) }

// Match answers a query with at most limit candidates, best first.
func (ix *Index) Match(q Query, limit int) ([]Candidate, error) {
	switch q.Kind {
	case "", KindEnterprise:
	case KindPerson:
		return ix.matchPerson(q, limit)
	default:
		return nil, ErrKind
	}
	if q.IDNumber != "" {
		return nil, ErrUnhashedID
	}
	pq := prepare(q)
	if !pq.usable() {
		return nil, ErrNoFeature
	}
	sc := ix.getScratch()
	defer ix.putScratch(sc)
	return ix.matchPrepared(sc, &pq, limit), nil
}

// matchPrepared ranks the candidates of a prepared enterprise query.
func (ix *Index) matchPrepared(sc *scratch, pq *preparedQuery, limit int) []Candidate {
	cands := ix.candidates(sc, pq)
	out := sc.scored[:0]
	for _, i := range cands {
		s, ev := ix.scoreEntry(sc, pq, &ix.ents[i])
		out = append(out, scored{id: i, s: s, support: ev.support(), ev: ev})
	}
	sc.scored = out
	return ranked(out, limit, func(i int32) string { return ix.ents[i].key }, func(c *scored) Candidate {
		e := &ix.ents[c.id]
		return Candidate{Kind: KindEnterprise, Key: e.key, Name: e.name, Score: c.s, Features: c.ev.features(), support: c.support}
	})
}

// ranked orders scored candidates (score, then the evidence beside the
// name, then key), renders the first limit (all when 0) and decides which,
// if any, is the match: the first, unless the cut separates it from a tie.
func ranked(out []scored, limit int, key func(int32) string, render func(*scored) Candidate) []Candidate {
	sort.Slice(out, func(a, b int) bool {
		if out[a].s != out[b].s {
			return out[a].s > out[b].s
		}
		if out[a].support != out[b].support {
			return out[a].support > out[b].support
		}
		return key(out[a].id) < key(out[b].id)
	})
	n := len(out)
	if limit > 0 {
		n = min(n, limit)
	}
	res := make([]Candidate, n)
	for k := range res {
		res[k] = render(&out[k])
	}
	decideMatch(res, len(out) > n && tied(&out[n-1], &out[n]))
	return res
}

// tied reports whether two ranked candidates cannot be told apart.
func tied(a, b *scored) bool { return a.s == b.s && a.support == b.support }

// candidates returns the enterprises a prepared query scores: its exact
// hits and the best bigram overlaps, each once.
func (ix *Index) candidates(sc *scratch, pq *preparedQuery) []int32 {
	out := sc.cands[:0]
	add := func(i int32) {
		if sc.count[i] == 0 {
			sc.count[i] = 1
			out = append(out, i)
		}
	}
	if i, ok := ix.uscc[pq.uscc]; ok && pq.uscc != "" {
		add(i)
	}
	if i, ok := ix.org[pq.org]; ok && pq.org != "" {
		add(i)
	}
	if i, ok := ix.regNo[pq.regNo]; ok && pq.regNo != "" {
		add(i)
	}
	if pq.phone != "" {
		for i := range ix.phone.all(phoneTail(pq.phone)) {
			add(i)
		}
	}
	if pq.email != "" {
		for i := range ix.email.all(pq.email) {
			add(i)
		}
	}
	for _, i := range out {
		sc.count[i] = 0
	}
	if pq.hasName {
		for _, i := range ix.gramCandidates(sc, &pq.name) {
			if !containsID(out, i) {
				out = append(out, i)
			}
		}
	}
	sc.cands = out
	return out
}

func containsID(l []int32, i int32) bool {
	for _, x := range l {
		if x == i {
			return true
		}
	}
	return false
}

// decideMatch leaves at most one match per query: the best candidate, when
// it reaches the threshold and no other candidate ties it (same score, same
// agreeing evidence; cutTie says one left out by the limit does).
// Candidates that tie at the top are all listed and none is a match:
// nothing in the query tells them apart, and attaching a record to one of
// them would be a guess (the caller adds region, address or phone).
func decideMatch(out []Candidate, cutTie bool) {
	for i := range out {
		out[i].Match = false
	}
	if len(out) == 0 || out[0].Score < Threshold {
		return
	}
	if len(out) > 1 && out[1].Score == out[0].Score && out[1].support == out[0].support {
		return
	}
	if len(out) == 1 && cutTie {
		return
	}
	out[0].Match = true
}

// boundID is a gram candidate and its Dice bound.
type boundID struct {
	b  float32
	id int32
}

// less orders gram candidates: a lower bound, then a higher id, is worse.
func (x boundID) worse(y boundID) bool { return x.b < y.b || x.b == y.b && x.id > y.id }

// gramCandidates returns the enterprises whose bigram sets (both readings)
// overlap the query's best, by the Dice coefficient of the sets
// (2·shared / (|query| + |enterprise|)), at most maxGramCandidates of them.
// Shared bigrams are counted in a dense per-query counter; the best are
// kept in a small heap, so no list of every enterprise touched is sorted.
func (ix *Index) gramCandidates(sc *scratch, n *Name) []int32 {
	gs := nameGrams(n, sc.grams[:0])
	sc.grams = gs
	if len(gs) == 0 {
		return nil
	}
	lists := sc.lists[:0]
	for _, g := range gs {
		if l := ix.grams[g]; len(l) > 0 {
			lists = append(lists, posting{g, l})
		}
	}
	sc.lists = lists
	if len(lists) == 0 {
		return nil
	}
	sort.Slice(lists, func(a, b int) bool { return len(lists[a].ids) < len(lists[b].ids) })
	// Read the rare bigrams; a common one only when nothing rarer exists.
	read := 0
	for read < len(lists) && (read == 0 || len(lists[read].ids) <= commonGram) {
		read++
	}
	count, touched := sc.count, sc.touched[:0]
	for _, l := range lists[:read] {
		for _, i := range l.ids {
			if count[i] == 0 {
				touched = append(touched, i)
			}
			if count[i] < 255 {
				count[i]++
			}
		}
	}
	nq := float32(len(gs))
	bound := func(i int32) float32 { return 2 * float32(count[i]) / (nq + float32(ix.ng[i])) }
	h := sc.heap[:0]
	for _, i := range touched {
		x := boundID{bound(i), i}
		if len(h) < maxGramCandidates {
			h = append(h, x)
			heapUp(h, len(h)-1)
		} else if h[0].worse(x) {
			h[0] = x
			heapDown(h, 0)
		}
	}
	sort.Slice(h, func(a, b int) bool { return h[b].worse(h[a]) })
	ids := sc.gids[:0]
	for _, x := range h {
		ids = append(ids, x.id)
	}
	// When the cut falls among enterprises of one bound that hold every
	// bigram of one of the query's cores (many cores equal to the query's,
	// in different cities), the ones left out are as good as those kept:
	// score them too, up to maxTiedCandidates, so that the region, phone or
	// address can pick among them.
	if len(h) == maxGramCandidates {
		last := h[len(h)-1].b
		whole := max(1, sc.readingGrams(n, lists[:read]))
		for _, x := range h {
			count[x.id] = 0 // marks those kept
		}
		for _, i := range touched {
			if len(ids) == maxTiedCandidates {
				break
			}
			if c := int(count[i]); c != 0 && c >= whole && bound(i) == last {
				ids = append(ids, i)
			}
		}
	}
	for _, i := range touched {
		count[i] = 0
	}
	sc.touched = touched
	sc.heap, sc.gids = h, ids
	return ids
}

// posting is a bigram and its posting list.
type posting struct {
	g   uint64
	ids []int32
}

// readingGrams is the number of distinct bigrams of the name's reading
// with the fewest among those read: an enterprise sharing fewer of the
// read ones holds neither core whole.
func (sc *scratch) readingGrams(n *Name, read []posting) int {
	inRead := func(core string) int {
		sc.g2 = dedupe(appendGrams(sc.g2[:0], core))
		k := 0
		for _, g := range sc.g2 {
			for _, p := range read {
				if p.g == g {
					k++
					break
				}
			}
		}
		return k
	}
	k := inRead(n.Core)
	if n.Alt != "" {
		k = min(k, inRead(n.Alt))
	}
	return k
}

// heapUp and heapDown keep h a min-heap by worse (the worst at h[0]).
func heapUp(h []boundID, i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !h[i].worse(h[p]) {
			return
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func heapDown(h []boundID, i int) {
	for {
		l, m := 2*i+1, i
		if l < len(h) && h[l].worse(h[m]) {
			m = l
		}
		if r := l + 1; r < len(h) && h[r].worse(h[m]) {
			m = r
		}
		if m == i {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}
