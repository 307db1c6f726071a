package memory

import (
	"math"
	"strings"
	"time"

	"riskgraph/models"
)

// The graph keeps its rows compact: nodes are numbered densely (nodeID),
// low-cardinality strings (kinds, statuses, regions, industries, titles,
// authorities) are interned to codes, dates are day numbers, and
// relationships name their endpoints by id. Every row converts back to its
// model value exactly (see the *Row methods).

// nodeID numbers an enterprise or a person. Ids are given in order of
// creation, never change and are never reused (nodes are upserted, never
// deleted), and one number space holds both kinds, so an id also serves as
// a projection scan's node number (store.ProjectionScanner).
type nodeID = int32

// day is a date as a day number since 1970-01-01 (UTC); noDay is the zero
// Date. A Date that is not exactly a UTC midnight as models.NewDate makes
// it (never the case for parsed or generated data) is kept verbatim in
// dates.odd and encoded as oddDay + its index there.
type day int32

const (
	noDay  day = math.MinInt32
	oddDay day = math.MinInt32 + 1
	// maxDays bounds the day numbers encoded directly (±2.9 million years).
	maxDays = 1 << 30
)

// dates turns models.Date into day and back.
type dates struct{ odd []models.Date }

func (ds *dates) put(d models.Date) day {
	if d == (models.Date{}) {
		return noDay
	}
	secs := d.Unix()
	if secs%86400 == 0 && secs/86400 > -maxDays && secs/86400 < maxDays {
		n := day(secs / 86400)
		if fromDays(n) == d {
			return n
		}
	}
	ds.odd = append(ds.odd, d)
	return oddDay + day(len(ds.odd)-1)
}

func (ds *dates) get(n day) models.Date {
	switch {
	case n == noDay:
		return models.Date{}
	case n < oddDay+maxDays && n >= oddDay:
		return ds.odd[n-oddDay]
	}
	return fromDays(n)
}

func fromDays(n day) models.Date {
	return models.Date{Time: time.Unix(int64(n)*86400, 0).UTC()}
}

// interner keeps one copy of each low-cardinality string and hands out
// codes for it; code 0 is "".
type interner struct {
	strs  []string
	codes map[string]uint32
}

func newInterner() interner {
	return interner{strs: []string{""}, codes: map[string]uint32{"": 0}}
}

func (in *interner) code(s string) uint32 {
	if c, ok := in.codes[s]; ok {
		return c
	}
	c := uint32(len(in.strs))
	s = strings.Clone(s) // not the row the value was read from
	in.strs = append(in.strs, s)
	in.codes[s] = c
	return c
}

func (in *interner) str(c uint32) string { return in.strs[c] }

// node is what enterprises and persons share; g.nodes is indexed by nodeID.
type node struct {
	key  textRef // enterprise key or pid
	name textRef
	// risk is the engine's current result. A *Risk is never changed once
	// it is installed (results replace it), so readers may share it.
	risk *models.Risk
	// ent is the index of an enterprise's other fields in g.ents; -1 for a person.
	ent         int32
	placeholder bool
}

func (n *node) isEnterprise() bool { return n.ent >= 0 }

// entFields are an enterprise's registration fields beyond node's.
type entFields struct {
	address, phone, email textRef
	capital               float64
	established           day
	// Interned codes.
	region, industry, currency, kind, status uint32
	// hasUSCC: the enterprise's USCC is its key (store.Batch.Validate
	// enforces key == uscc whenever the USCC is given).
	hasUSCC bool
}

// recRow is a credit record. Its id is written once, when the record is
// created; upserts replace only its fields.
type recRow struct {
	id string
	recFields
}

// recFields are a record's fields; subject is the node it is attached to.
type recFields struct {
	docNo, reason    string
	severity, amount float64
	subject          nodeID
	kind, authority  uint32 // interned
	decided, removed day
}

// shareRow is a shareholding: holder → enterprise.
type shareRow struct {
	ratio, amount float64
	from, to      nodeID
	since         day
}

// roleRow is an appointment: person → enterprise.
type roleRow struct {
	from, to     nodeID
	title        uint32 // interned
	text         uint32 // interned: the source's free text of the title, "" when none
	since, until day
	officer      bool // OFFICER_OF; LEGAL_REP_OF otherwise
}

// branchRow is branch → parent.
type branchRow struct{ from, to nodeID }

// relationRow is a person-to-person relation, a → b in canonical order (a's
// pid before b's).
type relationRow struct {
	from, to nodeID
	kind     uint32 // interned
	since    day
}

// A relationship's identity (what an upsert replaces) is its type and
// endpoints, plus the title for an appointment, the kind for a relation and
// the basis for a control; graph.findRel looks it up in an adjacency list.

// scoreSlot names a row of one of the relationship tables (or of recs,
// with relRecord) in graph.scores. Legal representatives and officers
// share the roles table, so both map to relLegalRep or relOfficer by the
// row's kind.
type scoreSlot struct {
	typ  relType
	slot int32
}

// setScore keeps a row's match score; 0 removes it (a row written again
// with its key named).
func (g *graph) setScore(typ relType, slot int32, score float64) {
	if score == 0 {
		if len(g.scores) > 0 {
			delete(g.scores, scoreSlot{typ, slot})
		}
		return
	}
	g.scores[scoreSlot{typ, slot}] = score
}

// score returns a row's match score, 0 when it has none.
func (g *graph) score(typ relType, slot int32) float64 {
	if len(g.scores) == 0 {
		return 0
	}
	return g.scores[scoreSlot{typ, slot}]
}

// relType is a relationship type's code in a link.
type relType uint8

const (
	relShares relType = iota
	relLegalRep
	relOfficer
	relBranch
	relRecord
	relRelated
	relControls
)

var relTypeNames = [...]models.RelType{models.RelHoldsShares, models.RelLegalRepOf, models.RelOfficerOf,
	models.RelBranchOf, models.RelHasRecord, models.RelRelatedTo, models.RelControls}

func (t relType) model() models.RelType { return relTypeNames[t] }

// link is one end's view of a relationship (12 bytes): the node at the
// other end (for HAS_RECORD, the record's index in g.recs), the
// relationship's row in its table, its type, and whether it starts here.
// A record has no adjacency list: its subject is in its row.
type link struct {
	other nodeID
	rel   int32
	typ   relType
	out   bool
}

// ref returns the model reference of node id.
func (g *graph) ref(id nodeID) models.Ref {
	n := &g.nodes[id]
	if n.isEnterprise() {
		return models.EnterpriseRef(g.text.str(n.key))
	}
	return models.PersonRef(g.text.str(n.key))
}

// enterprise materialises node id (an enterprise); the risk is shared, not cloned.
func (g *graph) enterprise(id nodeID) models.Enterprise {
	n := &g.nodes[id]
	f := &g.ents[n.ent]
	e := models.Enterprise{
		Key:         g.text.str(n.key),
		Name:        g.text.str(n.name),
		Kind:        models.EnterpriseKind(g.strs.str(f.kind)),
		Status:      models.Status(g.strs.str(f.status)),
		Capital:     f.capital,
		Currency:    g.strs.str(f.currency),
		Established: g.dates.get(f.established),
		Region:      g.strs.str(f.region),
		Industry:    g.strs.str(f.industry),
		Address:     g.text.str(f.address),
		Phone:       g.text.str(f.phone),
		Email:       g.text.str(f.email),
		Placeholder: n.placeholder,
		Risk:        n.risk,
	}
	if f.hasUSCC {
		e.USCC = e.Key
	}
	return e
}

// person materialises node id (a person); the risk is shared, not cloned.
func (g *graph) person(id nodeID) models.Person {
	n := &g.nodes[id]
	return models.Person{PID: g.text.str(n.key), Name: g.text.str(n.name), Placeholder: n.placeholder, Risk: n.risk}
}

func (g *graph) record(i int32) models.Record {
	r := &g.recs[i]
	return models.Record{
		ID:         r.id,
		Subject:    g.ref(r.subject),
		Kind:       models.RecordKind(g.strs.str(r.kind)),
		Severity:   r.severity,
		Authority:  g.strs.str(r.authority),
		Decided:    g.dates.get(r.decided),
		Removed:    g.dates.get(r.removed),
		Amount:     r.amount,
		DocNo:      r.docNo,
		Reason:     r.reason,
		MatchScore: g.score(relRecord, i),
	}
}

func (g *graph) shareholding(i int32) models.Shareholding {
	s := &g.shares[i]
	return g.withRights(i, models.Shareholding{Holder: g.ref(s.from), Enterprise: g.nodeKey(s.to), Ratio: s.ratio,
		Amount: s.amount, Since: g.dates.get(s.since), MatchScore: g.score(relShares, i)})
}

func (g *graph) role(i int32) models.Role {
	r := &g.roles[i]
	kind, typ := models.RoleLegalRep, relLegalRep
	if r.officer {
		kind, typ = models.RoleOfficer, relOfficer
	}
	return models.Role{Person: g.nodeKey(r.from), Enterprise: g.nodeKey(r.to), Kind: kind,
		Title: g.strs.str(r.title), TitleText: g.strs.str(r.text), Since: g.dates.get(r.since), Until: g.dates.get(r.until),
		DayToDay: g.dayToDay[i], MatchScore: g.score(typ, i)}
}

func (g *graph) branch(i int32) models.Branch {
	b := &g.branches[i]
	return models.Branch{Branch: g.nodeKey(b.from), Parent: g.nodeKey(b.to), MatchScore: g.score(relBranch, i)}
}

func (g *graph) relation(i int32) models.Relation {
	r := &g.relations[i]
	return models.Relation{A: g.nodeKey(r.from), B: g.nodeKey(r.to),
		Kind: models.RelationKind(g.strs.str(r.kind)), Since: g.dates.get(r.since)}
}
