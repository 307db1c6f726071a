package match

import (
	"errors"
	"sort"
	"strings"

	"riskgraph/models"
)

// The candidate index. Built once from a scan of every enterprise, read
// by any number of queries at once (it is never modified after Build).
//
//	grams   character bigram of a normalised core name → enterprises whose
//	        core has it (posting lists of int32 positions, ascending)
//	uscc    USCC → enterprise; org code (USCC characters 9–17) → enterprise;
//	regNo   15-digit registration number → enterprise (from source keys
//	        src:<source>:<15 digits>)
//	phone   last 7 digits of a normalised phone → enterprises
//	email   normalised e-mail → enterprises
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
	legalRep        string
}

// Index is a read-only candidate index over enterprises.
type Index struct {
	ents  []entry
	grams map[uint64][]int32
	uscc  map[string]int32
	org   map[string]int32
	regNo map[string]int32
	phone map[string][]int32
	email map[string][]int32
}

// Builder collects enterprises for an Index. The zero value is not ready;
// use NewBuilder.
type Builder struct {
	ix    *Index
	byKey map[string]int32
}

// NewBuilder returns an empty builder.
func NewBuilder() *Builder {
	return &Builder{ix: &Index{grams: map[uint64][]int32{}, uscc: map[string]int32{}, org: map[string]int32{},
		regNo: map[string]int32{}, phone: map[string][]int32{}, email: map[string][]int32{}}, byKey: map[string]int32{}}
}

// Add indexes an enterprise. Placeholders (nodes known only from a
// relationship) carry no name and are skipped; a key added twice keeps
// the first.
func (b *Builder) Add(e models.Enterprise) {
	if e.Placeholder || e.Key == "" {
		return
	}
	if _, dup := b.byKey[e.Key]; dup {
		return
	}
	ix := b.ix
	i := int32(len(ix.ents))
	en := entry{key: e.Key, name: e.Name, uscc: NormalizeUSCC(e.USCC), region: e.Region,
		nm: NormalizeName(e.Name), addr: NormalizeAddress(e.Address),
		phone: NormalizePhone(e.Phone), email: NormalizeEmail(e.Email)}
	if en.uscc == "" {
		en.uscc = NormalizeUSCC(e.Key)
	}
	if en.region == "" && en.uscc != "" {
		en.region = models.USCC(en.uscc).Division()
	}
	if en.uscc != "" {
		ix.uscc[en.uscc] = i
		ix.org[models.USCC(en.uscc).OrgCode()] = i
	}
	if rest, ok := strings.CutPrefix(e.Key, "src:"); ok {
		if j := strings.LastIndexByte(rest, ':'); j >= 0 {
			if rn := NormalizeRegNo(rest[j+1:]); rn != "" {
				ix.regNo[rn] = i
				if en.region == "" {
					en.region = rn[:6]
				}
			}
		}
	}
	seen := map[uint64]bool{}
	for _, g := range grams(en.nm.Core) {
		if !seen[g] {
			seen[g] = true
			ix.grams[g] = append(ix.grams[g], i)
		}
	}
	if en.phone != "" {
		t := phoneTail(en.phone)
		ix.phone[t] = append(ix.phone[t], i)
	}
	if en.email != "" {
		ix.email[en.email] = append(ix.email[en.email], i)
	}
	ix.ents = append(ix.ents, en)
	b.byKey[e.Key] = i
}

// SetLegalRep records the name of an enterprise's legal representative
// (only the comparison form is kept). Unknown keys are ignored.
func (b *Builder) SetLegalRep(key, name string) {
	if i, ok := b.byKey[key]; ok {
		b.ix.ents[i].legalRep = NormalizePersonName(name)
	}
}

// Build returns the index; the builder must not be used afterwards.
func (b *Builder) Build() *Index {
	ix := b.ix
	b.ix, b.byKey = nil, nil
	return ix
}

// Len is the number of indexed enterprises.
func (ix *Index) Len() int { return len(ix.ents) }

// Query is one thing to find. Any field may be empty, but at least one of
// Name, USCC, OrgCode, RegNo, Phone, Email must be usable.
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
	Kind     string `json:"kind,omitempty"`
}

// ErrNoFeature is returned for a query with nothing to look up by.
var ErrNoFeature = errors.New("give at least one of name, uscc (18 characters), org_code (9 characters), reg_no (15 digits), phone or email")

// ErrKind is returned for a query whose kind is not enterprise.
var ErrKind = errors.New(`kind: only "enterprise" (or empty) is supported`)

// Candidate is one ranked answer to a query.
type Candidate struct {
	Key   string  `json:"key"`
	Name  string  `json:"name" mask:"public"` // an enterprise's registered name; only enterprises are indexed
	Score float64 `json:"score"`
	Match bool    `json:"match"`
	// Features holds, per compared feature, how far it agreed in [0,1].
	Features Features `json:"features"`
	// support sums Features: it orders candidates of equal score, so that
	// the one with more agreeing evidence comes first.
	support float64
}

// Features is a candidate's evidence: per feature compared, how far it
// agreed in [0,1]; a feature absent from the query or the candidate is
// absent (nil) here.
type Features struct {
	Name      *float64 `json:"name,omitempty"`
	USCC      *float64 `json:"uscc,omitempty"`
	OrgCode   *float64 `json:"org_code,omitempty"`
	RegNo     *float64 `json:"reg_no,omitempty"`
	LegalForm *float64 `json:"legal_form,omitempty"`
	Region    *float64 `json:"region,omitempty"`
	Branch    *float64 `json:"branch,omitempty"`
	Address   *float64 `json:"address,omitempty"`
	Phone     *float64 `json:"phone,omitempty"`
	Email     *float64 `json:"email,omitempty"`
	LegalRep  *float64 `json:"legal_rep,omitempty"`
}

// featureNames are the JSON names of Features' fields, in order.
var featureNames = [...]string{"name", "uscc", "org_code", "reg_no", "legal_form", "region", "branch", "address", "phone", "email", "legal_rep"}

func (f *Features) slots() [len(featureNames)]**float64 {
	return [...]**float64{&f.Name, &f.USCC, &f.OrgCode, &f.RegNo, &f.LegalForm, &f.Region, &f.Branch, &f.Address,
		&f.Phone, &f.Email, &f.LegalRep}
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

// sum adds up the features present.
func (f *Features) sum() float64 {
	t := 0.0
	for _, p := range f.slots() {
		if *p != nil {
			t += **p
		}
	}
	return t
}

// set records feature name's agreement v.
func (f *Features) set(name string, v float64) {
	v = round(v)
	for i, n := range featureNames {
		if n == name {
			*f.slots()[i] = &v
			return
		}
	}
	panic("match: unknown feature " + name)
}

// Tuning of candidate generation.
const (
	// maxGramCandidates is how many enterprises sharing the most core
	// bigrams with the query are scored.
	maxGramCandidates = 64
	// commonGram is the posting length above which a bigram is read only
	// when the query has no rarer one (such bigrams, e.g. 科技, say little).
	commonGram = 20_000
)

// Match answers a query with at most limit candidates, best first.
func (ix *Index) Match(q Query, limit int) ([]Candidate, error) {
	if q.Kind != "" && q.Kind != "enterprise" {
		return nil, ErrKind
	}
	pq := prepare(q)
	if !pq.usable() {
		return nil, ErrNoFeature
	}
	cands := map[int32]bool{}
	if i, ok := ix.uscc[pq.uscc]; ok && pq.uscc != "" {
		cands[i] = true
	}
	if i, ok := ix.org[pq.org]; ok && pq.org != "" {
		cands[i] = true
	}
	if i, ok := ix.regNo[pq.regNo]; ok && pq.regNo != "" {
		cands[i] = true
	}
	if pq.phone != "" {
		for _, i := range ix.phone[phoneTail(pq.phone)] {
			cands[i] = true
		}
	}
	if pq.email != "" {
		for _, i := range ix.email[pq.email] {
			cands[i] = true
		}
	}
	for _, i := range ix.gramCandidates(pq.name.Core) {
		cands[i] = true
	}
	out := make([]Candidate, 0, len(cands))
	for i := range cands {
		out = append(out, ix.score(&pq, &ix.ents[i]))
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].Score != out[b].Score {
			return out[a].Score > out[b].Score
		}
		if out[a].support != out[b].support {
			return out[a].support > out[b].support
		}
		return out[a].Key < out[b].Key
	})
	decideMatch(out)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// decideMatch leaves at most one match per query: the best candidate, when
// it reaches the threshold and no other candidate ties it (same score, same
// agreeing evidence). Candidates that tie at the top are all listed and none
// is a match: nothing in the query tells them apart, and attaching a record
// to one of them would be a guess (the caller adds region, address or phone).
func decideMatch(out []Candidate) {
	for i := range out {
		out[i].Match = false
	}
	if len(out) == 0 || out[0].Score < Threshold {
		return
	}
	if len(out) > 1 && out[1].Score == out[0].Score && out[1].support == out[0].support {
		return
	}
	out[0].Match = true
}

// gramCandidates returns the enterprises sharing the most bigrams with
// core, at most maxGramCandidates of them.
func (ix *Index) gramCandidates(core string) []int32 {
	gs := grams(core)
	if len(gs) == 0 {
		return nil
	}
	lists := make([][]int32, 0, len(gs))
	for _, g := range gs {
		if l := ix.grams[g]; len(l) > 0 {
			lists = append(lists, l)
		}
	}
	if len(lists) == 0 {
		return nil
	}
	sort.Slice(lists, func(a, b int) bool { return len(lists[a]) < len(lists[b]) })
	// Read the rare bigrams; a common one only when nothing rarer exists.
	n := 0
	for n < len(lists) && (n == 0 || len(lists[n]) <= commonGram) {
		n++
	}
	count := map[int32]int{}
	for _, l := range lists[:n] {
		for _, i := range l {
			count[i]++
		}
	}
	ids := make([]int32, 0, len(count))
	for i := range count {
		ids = append(ids, i)
	}
	sort.Slice(ids, func(a, b int) bool {
		if count[ids[a]] != count[ids[b]] {
			return count[ids[a]] > count[ids[b]]
		}
		return ids[a] < ids[b]
	})
	if len(ids) > maxGramCandidates {
		ids = ids[:maxGramCandidates]
	}
	return ids
}
