package memory

import (
	"riskgraph/models"
	"riskgraph/store"
)

// graph is the in-memory data: nodes in a slice indexed by their dense id
// with one key → id map per kind, records and relationships in slices of
// compact rows, and each node's adjacency list (both directions) indexed by
// its id. A relationship's identity is found through the adjacency list of
// its shorter endpoint (findRel), not a map. rows.go has the row types.
type graph struct {
	nodes []node
	ents  []entFields // indexed by node.ent
	// entID and perID find enterprises and persons by key and pid
	// (entOf, perOf); an enterprise's USCC is its key, so entID also finds
	// it by USCC. The keys are the nodes' own (keyindex.go).
	entID, perID keyIndex
	adj          adjacency // every node's links (adjacency.go)
	nEnt         int       // enterprises among nodes

	recs  []recRow
	recID keyIndex // by record id (recOf)

	shares   []shareRow
	roles    []roleRow
	branches []branchRow
	// relations are person-to-person relations, keyed by (a, b, kind).
	relations []relationRow
	// scores are the match scores of relationships and records whose
	// enterprise the loader resolved by matching: few rows have one, so
	// they are kept beside the rows rather than in each (rows.go).
	scores map[scoreSlot]float64
	// rights, dayToDay and controls are what the beneficial-owner rules
	// add (controls.go); nil until first used.
	rights   map[int32]shareRights
	dayToDay map[int32]bool
	controls []controlRow

	strs  interner
	text  text // the strings of nodes and records (text.go)
	dates dates

	// staged holds engine results written but not yet promoted (staging.go).
	staged     staging
	runs       map[string]*store.Run
	generation uint64
	// gens stamp each row with the generation of its last write (changes.go).
	gens    stamps
	access  access
	reports reports
	reviews reviews // reviews.go
	xref    xrefs   // xref.go
	checks  checks
	file    creditFile
	// licences and issued credit reports (licences.go).
	licences      licences
	creditReports creditReports
	cases         cases // cases.go
}

func newGraph() graph {
	return graph{
		entID:  newKeyIndex(),
		adj:    newAdjacency(),
		perID:  newKeyIndex(),
		recID:  newKeyIndex(),
		scores: map[scoreSlot]float64{},
		strs:   newInterner(),
		runs:   map[string]*store.Run{},
	}
}

func (g *graph) apply(e *entry) {
	if b := e.Batch; b != nil {
		g.generation++
		for i := range b.Enterprises {
			g.putEnterprise(&b.Enterprises[i])
		}
		for i := range b.Persons {
			g.putPerson(&b.Persons[i])
		}
		for i := range b.Shareholdings {
			g.putShareholding(&b.Shareholdings[i])
		}
		for i := range b.Roles {
			g.putRole(&b.Roles[i])
		}
		for i := range b.Branches {
			br := &b.Branches[i]
			row := branchRow{g.ensureEnterprise(br.Branch), g.ensureEnterprise(br.Parent)}
			slot := upsertRel(g, &g.branches, row.from, row.to, relBranch, func(*branchRow) bool { return true }, row)
			g.stamp(&g.gens.branches, slot)
			g.setScore(relBranch, slot, br.MatchScore)
		}
		for i := range b.Records {
			g.putRecord(&b.Records[i])
		}
		for i := range b.Relations {
			g.putRelation(&b.Relations[i])
		}
		g.putLicences(b.Licences)
		for i := range b.Controls {
			g.putControl(&b.Controls[i])
		}
	}
	if e.Generation != 0 {
		g.generation = e.Generation
		g.restamp(e.Generation)
	}
	for _, res := range e.Current {
		if id, ok := g.lookup(res.Ref); ok {
			r := res.Risk
			g.nodes[id].risk = &r
		}
	}
	g.lookupResults(e.Results, func(i int, id nodeID) {
		r := e.Results[i].Risk
		r.Previous = nil
		g.staged.put(id, r, len(g.nodes))
	})
	if e.Promote != "" {
		g.promote(e.Promote)
	}
	if e.Run != nil {
		r := *e.Run
		g.runs[r.ID] = &r
	}
	g.access.apply(e)
	g.reports.apply(e.Reports)
	g.reviews.apply(e.Reviews)
	g.applyXref(e.Xref)
	g.checks.apply(e.Checks)
	g.applyFile(e.File)
	g.creditReports.apply(e.CreditReport)
	g.cases.apply(e.Case)
}

// lookup returns the id of an enterprise or person.
func (g *graph) lookup(ref models.Ref) (nodeID, bool) {
	switch ref.Kind {
	case models.KindEnterprise:
		return g.entOf(ref.Key)
	case models.KindPerson:
		return g.perOf(ref.Key)
	}
	return 0, false
}

// entOf returns the id of the enterprise key (or USCC).
func (g *graph) entOf(key string) (nodeID, bool) { return g.entID.get(key, g.nodeKey) }

// perOf returns the id of the person pid.
func (g *graph) perOf(pid string) (nodeID, bool) { return g.perID.get(pid, g.nodeKey) }

// recOf returns the row of the record id.
func (g *graph) recOf(id string) (int32, bool) {
	return g.recID.get(id, func(i int32) string { return g.recs[i].id })
}

func (g *graph) nodeKey(id nodeID) string { return g.text.str(g.nodes[id].key) }

// promote makes run's staged results current and drops every staged result.
func (g *graph) promote(run string) {
	g.staged.each(func(id nodeID, c *current) {
		if c.risk.Run != run {
			return
		}
		slot := &g.nodes[id].risk
		if cur := *slot; cur != nil && cur.Run != run {
			c.prev = models.PreviousRisk{Score: cur.Score, Grade: cur.Grade, Run: cur.Run}
			c.risk.Previous = &c.prev
		} else if cur != nil {
			c.risk.Previous = cur.Previous
		}
		*slot = &c.risk
	})
	// Dropped rather than cleared: the rows hold one result per entity of
	// the run, for as long as the store lives.
	g.staged = staging{}
}

// putEnterprise upserts e. A placeholder never overwrites an existing node;
// a real row replaces a placeholder in place. The engine's result is kept.
func (g *graph) putEnterprise(e *models.Enterprise) {
	id, ok := g.entOf(e.Key)
	if ok && e.Placeholder {
		return
	}
	if !ok {
		id = g.newEnterprise(e.Key)
	}
	g.stamp(&g.gens.nodes, id)
	n := &g.nodes[id]
	n.name, n.placeholder = g.text.putAs(n.name, e.Name), e.Placeholder
	old := &g.ents[n.ent]
	g.ents[n.ent] = entFields{
		address:     g.text.putAs(old.address, e.Address),
		phone:       g.text.putAs(old.phone, e.Phone),
		email:       g.text.putAs(old.email, e.Email),
		capital:     e.Capital,
		established: g.dates.put(e.Established),
		region:      g.strs.code(e.Region),
		industry:    g.strs.code(e.Industry),
		currency:    g.strs.code(e.Currency),
		kind:        g.strs.code(string(e.Kind)),
		status:      g.strs.code(string(e.Status)),
		hasUSCC:     e.USCC != "",
	}
}

func (g *graph) putPerson(p *models.Person) {
	id, ok := g.perOf(p.PID)
	if ok && p.Placeholder {
		return
	}
	if !ok {
		id = g.newNode(p.PID, -1)
		g.perID.put(g.nodeKey(id), id)
	}
	g.stamp(&g.gens.nodes, id)
	n := &g.nodes[id]
	n.name, n.placeholder = g.text.putAs(n.name, p.Name), p.Placeholder
}

// newNode appends a placeholder node and returns its id.
func (g *graph) newNode(key string, ent int32) nodeID {
	id := nodeID(len(g.nodes))
	g.nodes = append(g.nodes, node{key: g.text.put(key), ent: ent, placeholder: true})
	g.adj.addNode()
	g.stamp(&g.gens.nodes, id)
	return id
}

func (g *graph) newEnterprise(key string) nodeID {
	g.ents = append(g.ents, entFields{})
	id := g.newNode(key, int32(len(g.ents)-1))
	g.entID.put(g.nodeKey(id), id)
	g.nEnt++
	return id
}

// ensureEnterprise returns the id of the enterprise key, creating a
// placeholder when it does not exist.
func (g *graph) ensureEnterprise(key string) nodeID {
	if id, ok := g.entOf(key); ok {
		return id
	}
	return g.newEnterprise(key)
}

func (g *graph) ensurePerson(pid string) nodeID {
	if id, ok := g.perOf(pid); ok {
		return id
	}
	id := g.newNode(pid, -1)
	g.perID.put(g.nodeKey(id), id)
	return id
}

// ensure returns the id of an enterprise or person (Batch.Validate admits
// no other kind for relationship endpoints), creating a placeholder.
func (g *graph) ensure(r models.Ref) nodeID {
	if r.Kind == models.KindPerson {
		return g.ensurePerson(r.Key)
	}
	return g.ensureEnterprise(r.Key)
}

func (g *graph) putShareholding(s *models.Shareholding) {
	row := shareRow{ratio: s.Ratio, amount: s.Amount, from: g.ensure(s.Holder),
		to: g.ensureEnterprise(s.Enterprise), since: g.dates.put(s.Since)}
	slot := upsertRel(g, &g.shares, row.from, row.to, relShares, func(*shareRow) bool { return true }, row)
	g.stamp(&g.gens.shares, slot)
	g.setScore(relShares, slot, s.MatchScore)
	g.setRights(slot, s)
}

// putRelation upserts a relation in its canonical form (a before b).
func (g *graph) putRelation(r *models.Relation) {
	c := r.Canonical()
	row := relationRow{from: g.ensurePerson(c.A), to: g.ensurePerson(c.B), kind: g.strs.code(string(c.Kind)),
		since: g.dates.put(c.Since)}
	slot := upsertRel(g, &g.relations, row.from, row.to, relRelated,
		func(r *relationRow) bool { return r.kind == row.kind }, row)
	g.stamp(&g.gens.relations, slot)
}

// findRel returns the slot of the relationship of type typ from → to whose
// row same accepts. It searches the adjacency list of the endpoint with
// fewer links, so a write costs the smaller degree, not a map entry per
// relationship (≈ 50 B per relationship at 1 M enterprises, docs/scaling.md).
func (g *graph) findRel(from, to nodeID, typ relType, same func(slot int32) bool) (int32, bool) {
	here, there, out := from, to, true
	if g.adj.degree(to) < g.adj.degree(from) {
		here, there, out = to, from, false
	}
	for _, l := range g.adj.list(here) {
		if l.other == there && l.typ == typ && l.out == out && same(l.rel) {
			return l.rel, true
		}
	}
	return 0, false
}

// upsertRel replaces the row of the relationship of type typ from → to
// that same accepts, or appends row to rows and links it into both
// endpoints' adjacency lists; it returns the row's slot.
func upsertRel[R any](g *graph, rows *[]R, from, to nodeID, typ relType, same func(*R) bool, row R) int32 {
	if slot, ok := g.findRel(from, to, typ, func(s int32) bool { return same(&(*rows)[s]) }); ok {
		(*rows)[slot] = row
		return slot
	}
	slot := int32(len(*rows))
	*rows = append(*rows, row)
	g.connect(from, to, slot, typ)
	return slot
}

func (g *graph) putRole(r *models.Role) {
	row := roleRow{from: g.ensurePerson(r.Person), to: g.ensureEnterprise(r.Enterprise),
		title: g.strs.code(r.Title), text: g.strs.code(r.TitleText), since: g.dates.put(r.Since), until: g.dates.put(r.Until),
		officer: r.Kind == models.RoleOfficer}
	typ := relLegalRep
	if row.officer {
		typ = relOfficer
	}
	slot := upsertRel(g, &g.roles, row.from, row.to, typ, func(r *roleRow) bool { return r.title == row.title }, row)
	g.stamp(&g.gens.roles, slot)
	g.setScore(typ, slot, r.MatchScore)
	g.setDayToDay(slot, r.DayToDay)
}

// putRecord upserts a record; a record whose subject changed moves to the
// new subject's adjacency list.
func (g *graph) putRecord(r *models.Record) {
	i, ok := g.recOf(r.ID)
	var was recFields
	if ok {
		was = g.recs[i].recFields
	}
	row := recRow{id: r.ID, recFields: recFields{docNo: g.text.keepAs(was.docNo, r.DocNo), reason: g.text.keepAs(was.reason, r.Reason),
		severity: r.Severity, amount: r.Amount, subject: g.ensure(r.Subject), kind: g.strs.code(string(r.Kind)),
		authority: g.strs.code(r.Authority), decided: g.dates.put(r.Decided), removed: g.dates.put(r.Removed)}}
	if !ok {
		row.id = g.text.keep(r.ID)
		i = int32(len(g.recs))
		g.recs = append(g.recs, row)
		g.recID.put(row.id, i)
		g.adj.add(row.subject, link{other: i, rel: i, typ: relRecord, out: true})
		g.setScore(relRecord, i, r.MatchScore)
		g.stamp(&g.gens.recs, i)
		return
	}
	g.setScore(relRecord, i, r.MatchScore)
	g.stamp(&g.gens.recs, i)
	if old := g.recs[i].subject; old != row.subject {
		g.adj.remove(old, func(l link) bool { return l.typ == relRecord && l.rel == i })
		g.adj.add(row.subject, link{other: i, rel: i, typ: relRecord, out: true})
	}
	// The id stays as it is: a scan reads it without the lock.
	g.recs[i].recFields = row.recFields
}

// connect links a new relationship (row slot of its type's table) into
// both endpoints' adjacency lists.
func (g *graph) connect(from, to nodeID, slot int32, typ relType) {
	g.adj.add(from, link{other: to, rel: slot, typ: typ, out: true})
	g.adj.add(to, link{other: from, rel: slot, typ: typ, out: false})
}

// edge materialises the relationship a link points at.
func (g *graph) edge(l link) store.Edge {
	switch l.typ {
	case relShares:
		return store.ShareholdingEdge(g.shareholding(l.rel))
	case relLegalRep, relOfficer:
		return store.RoleEdge(g.role(l.rel))
	case relBranch:
		return store.BranchEdge(g.branch(l.rel))
	case relRelated:
		return store.RelationEdge(g.relation(l.rel))
	case relControls:
		return g.controlEdge(l.rel)
	}
	return store.RecordEdge(g.record(l.rel))
}

// node renders any node (enterprise, person or record) for a subgraph.
func (g *graph) node(r models.Ref) store.Node {
	if r.Kind == models.KindRecord {
		if i, ok := g.recOf(r.Key); ok {
			return store.RecordNode(g.record(i))
		}
	} else if id, ok := g.lookup(r); ok {
		return g.nodeByID(id)
	}
	return store.Node{ID: r.String(), Ref: r}
}

func (g *graph) nodeByID(id nodeID) store.Node {
	if g.nodes[id].isEnterprise() {
		e := g.enterprise(id)
		e.Risk = cloneRisk(e.Risk)
		return store.EnterpriseNode(e)
	}
	p := g.person(id)
	p.Risk = cloneRisk(p.Risk)
	return store.PersonNode(p)
}
