package memory

import (
	"slices"

	"riskgraph/models"
	"riskgraph/store"
)

// link is one end's view of a relationship: its type, the key of the
// relationship in the typed map, and the node at the other end.
type link struct {
	typ models.RelType
	id  string
	to  models.Ref
	out bool // the relationship starts at this end
	// rel points at the relationship's value in its typed map
	// (*models.Shareholding, *models.Role or *models.Branch; nil for
	// HAS_RECORD), so a scan reaches it without a map lookup. Upserts
	// update that value in place, so the pointer never goes stale.
	rel any
}

// graph is the in-memory data: nodes by key, relationships by identity,
// and adjacency lists in both directions.
type graph struct {
	ent      map[string]*models.Enterprise
	uscc     map[string]string
	per      map[string]*models.Person
	rec      map[string]*models.Record
	shares   map[string]*models.Shareholding
	roles    map[string]*models.Role
	branches map[string]*models.Branch
	adj      map[models.Ref][]link
	// staged holds engine results written but not yet promoted.
	staged     map[models.Ref]models.Risk
	runs       map[string]*store.Run
	generation uint64
	access     access
	reports    reports
}

func newGraph() graph {
	return graph{
		ent:      map[string]*models.Enterprise{},
		uscc:     map[string]string{},
		per:      map[string]*models.Person{},
		rec:      map[string]*models.Record{},
		shares:   map[string]*models.Shareholding{},
		roles:    map[string]*models.Role{},
		branches: map[string]*models.Branch{},
		adj:      map[models.Ref][]link{},
		staged:   map[models.Ref]models.Risk{},
		runs:     map[string]*store.Run{},
	}
}

func (g *graph) apply(e *entry) {
	if b := e.Batch; b != nil {
		g.generation++
		for i := range b.Enterprises {
			g.putEnterprise(b.Enterprises[i])
		}
		for i := range b.Persons {
			g.putPerson(b.Persons[i])
		}
		for i := range b.Shareholdings {
			s := b.Shareholdings[i]
			id := store.ShareholdingEdge(s).ID()
			if old := g.shares[id]; old != nil {
				*old = s
				g.connect(id, models.RelHoldsShares, s.Holder, models.EnterpriseRef(s.Enterprise), nil)
			} else {
				g.shares[id] = &s
				g.connect(id, models.RelHoldsShares, s.Holder, models.EnterpriseRef(s.Enterprise), &s)
			}
		}
		for i := range b.Roles {
			r := b.Roles[i]
			edge := store.RoleEdge(r)
			id := edge.ID()
			if old := g.roles[id]; old != nil {
				*old = r
				g.connect(id, edge.Type, edge.From, edge.To, nil)
			} else {
				g.roles[id] = &r
				g.connect(id, edge.Type, edge.From, edge.To, &r)
			}
		}
		for i := range b.Branches {
			br := b.Branches[i]
			id := store.BranchEdge(br).ID()
			if old := g.branches[id]; old != nil {
				*old = br
				g.connect(id, models.RelBranchOf, models.EnterpriseRef(br.Branch), models.EnterpriseRef(br.Parent), nil)
			} else {
				g.branches[id] = &br
				g.connect(id, models.RelBranchOf, models.EnterpriseRef(br.Branch), models.EnterpriseRef(br.Parent), &br)
			}
		}
		for i := range b.Records {
			r := b.Records[i]
			old := g.rec[r.ID]
			if old != nil && old.Subject != r.Subject {
				g.disconnect(r.ID, old.Subject, models.RecordRef(r.ID))
			}
			var isNew any
			if old == nil || old.Subject != r.Subject {
				isNew = recordLink{}
			}
			g.connect(r.ID, models.RelHasRecord, r.Subject, models.RecordRef(r.ID), isNew)
			g.rec[r.ID] = &r
		}
	}
	for _, res := range e.Results {
		if g.riskSlot(res.Ref) != nil {
			r := res.Risk
			r.Previous = nil
			g.staged[res.Ref] = r
		}
	}
	if e.Promote != "" {
		g.promote(e.Promote)
	}
	if e.Run != nil {
		r := *e.Run
		g.runs[r.ID] = &r
	}
	g.access.apply(e)
	g.reports.apply(e.Reports)
}

// riskSlot returns where an entity keeps its current result, or nil when
// the entity does not exist.
func (g *graph) riskSlot(ref models.Ref) **models.Risk {
	switch ref.Kind {
	case models.KindEnterprise:
		if x := g.ent[ref.Key]; x != nil {
			return &x.Risk
		}
	case models.KindPerson:
		if x := g.per[ref.Key]; x != nil {
			return &x.Risk
		}
	}
	return nil
}

// promote makes run's staged results current and drops every staged result.
func (g *graph) promote(run string) {
	for ref, r := range g.staged {
		slot := g.riskSlot(ref)
		if r.Run != run || slot == nil {
			continue
		}
		if cur := *slot; cur != nil && cur.Run != run {
			r.Previous = &models.PreviousRisk{Score: cur.Score, Grade: cur.Grade, Run: cur.Run}
		} else if cur != nil {
			r.Previous = cur.Previous
		}
		*slot = &r
	}
	// A new map rather than clear: clear keeps the buckets, which hold one
	// result per entity of the run (about 0.5 GiB at 3 million entities)
	// for as long as the store lives.
	g.staged = map[models.Ref]models.Risk{}
}

// putEnterprise upserts e. A placeholder never overwrites an existing node;
// a real row replaces a placeholder. The engine's result is kept.
func (g *graph) putEnterprise(e models.Enterprise) {
	old := g.ent[e.Key]
	if old != nil {
		if e.Placeholder {
			return
		}
		e.Risk = old.Risk
		if old.USCC != "" && old.USCC != e.USCC {
			delete(g.uscc, old.USCC)
		}
	}
	if e.USCC != "" {
		g.uscc[e.USCC] = e.Key
	}
	g.ent[e.Key] = &e
}

func (g *graph) putPerson(p models.Person) {
	old := g.per[p.PID]
	if old != nil {
		if p.Placeholder {
			return
		}
		p.Risk = old.Risk
	}
	g.per[p.PID] = &p
}

// ensure creates a placeholder for a missing endpoint.
func (g *graph) ensure(r models.Ref) {
	switch r.Kind {
	case models.KindEnterprise:
		if g.ent[r.Key] == nil {
			g.ent[r.Key] = &models.Enterprise{Key: r.Key, Placeholder: true}
		}
	case models.KindPerson:
		if g.per[r.Key] == nil {
			g.per[r.Key] = &models.Person{PID: r.Key, Placeholder: true}
		}
	}
}

// recordLink marks a new HAS_RECORD link for connect (records carry no
// relationship value).
type recordLink struct{}

// connect makes sure both endpoints exist and, for a new relationship (rel
// not nil: the relationship's value, or recordLink{}), links them.
func (g *graph) connect(id string, typ models.RelType, from, to models.Ref, rel any) {
	g.ensure(from)
	g.ensure(to)
	if rel == nil {
		return
	}
	if _, ok := rel.(recordLink); ok {
		rel = nil
	}
	g.adj[from] = append(g.adj[from], link{typ, id, to, true, rel})
	g.adj[to] = append(g.adj[to], link{typ, id, from, false, rel})
}

func (g *graph) disconnect(id string, a, b models.Ref) {
	drop := func(n models.Ref) {
		g.adj[n] = slices.DeleteFunc(g.adj[n], func(l link) bool { return l.id == id })
	}
	drop(a)
	drop(b)
}

// edge materialises the relationship a link points at.
func (g *graph) edge(l link) (store.Edge, bool) {
	switch l.typ {
	case models.RelHoldsShares:
		if s := g.shares[l.id]; s != nil {
			return store.ShareholdingEdge(*s), true
		}
	case models.RelLegalRepOf, models.RelOfficerOf:
		if r := g.roles[l.id]; r != nil {
			return store.RoleEdge(*r), true
		}
	case models.RelBranchOf:
		if b := g.branches[l.id]; b != nil {
			return store.BranchEdge(*b), true
		}
	case models.RelHasRecord:
		if r := g.rec[l.id]; r != nil {
			return store.RecordEdge(*r), true
		}
	}
	return store.Edge{}, false
}

func (g *graph) node(r models.Ref) store.Node {
	switch r.Kind {
	case models.KindEnterprise:
		if e := g.ent[r.Key]; e != nil {
			return store.EnterpriseNode(cloneEnterprise(e))
		}
	case models.KindPerson:
		if p := g.per[r.Key]; p != nil {
			return store.PersonNode(clonePerson(p))
		}
	case models.KindRecord:
		if x := g.rec[r.Key]; x != nil {
			return store.RecordNode(*x)
		}
	}
	return store.Node{ID: r.String(), Ref: r}
}
