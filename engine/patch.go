package engine

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"

	"riskgraph/models"
	"riskgraph/store"
)

// ErrNotPatchable: a change the graph cannot take in place (Patch); the
// run projects from the store instead.
var ErrNotPatchable = errors.New("change not patchable")

// edgeRemoved marks, during a patch, an edge that goes (a group
// membership an enterprise left); the rebuild drops it.
const edgeRemoved EdgeType = math.MaxUint8

// Patch brings a graph read from a projection snapshot (or projected for
// one) up to date with c, the store's changes since (store.ChangeFeed):
// what a projection of the changed store gives, up to node ids (new nodes
// come after the saved ones; results are keyed by reference):
//
//   - an enterprise row overwrites the node's attributes; a new key adds a
//     node (after the saved ones), a person row a person;
//   - an address, phone or e-mail an enterprise takes links it to the
//     value's group node (made when a second enterprise holds the value);
//     one it leaves unlinks it, and a group left with one holder loses its
//     last link too: it stays as a node without edges until two
//     enterprises share the value again (it is no entity, has no score and
//     links nothing, so no result depends on it);
//   - a record replaces the one with its id or is added;
//   - a relationship replaces the one with its identity (type, ends, and
//     an officer's title or a relation's kind) or is added;
//   - the out- and in-offsets, the in-index and the records' index are
//     rebuilt by one pass over the edges and one over the records.
//
// A change to a member of a SAME_AS set (its row, a relationship or a
// record that names it), or a relationship whose identity matches more
// than one edge, is not patched: Patch returns an error wrapping
// ErrNotPatchable and the graph must not be used (it may be half patched).
// Controls and licences are not part of the projection; an entity's
// stored result is not read from c (the graph keeps the one it has).
func (g *Graph) Patch(c *store.Batch) error {
	if g.patch == nil {
		return fmt.Errorf("%w: the graph was not projected for a snapshot", ErrNotPatchable)
	}
	p := newPatcher(g)
	p.reserve(c)
	if err := p.apply(c); err != nil {
		return err
	}
	return p.rebuild()
}

// patcher applies one batch of changes to a graph with a builder over it.
type patcher struct {
	g *Graph
	b *builder
	// nodes and edges before the patch: edges of the CSR are
	// Edges[:edges], of nodes < nodes.
	nodes, edges int
	// added are the new relationships, addedAt their index by identity.
	added       []Edge
	addedAt     map[edgeKey]int
	removed     int     // edges marked edgeRemoved
	removedFrom []int32 // their start nodes
	// recordsMoved is set when a record was added or changed subject.
	recordsMoved bool
}

// newPatcher makes a builder over g that adds to it as a projection
// would: its string tables, shared values and SAME_AS sets.
func newPatcher(g *Graph) *patcher {
	b := &builder{g: g}
	for i, table := range [4][]string{g.Regions, g.Industries, g.Titles, g.RecordKinds} {
		b.tables[i] = make(map[string]uint16, len(table))
		for c, v := range table {
			b.tables[i][v] = uint16(c)
		}
	}
	b.shared = g.patch.shared
	b.alias = g.sameAs
	if b.alias != nil {
		b.reps = map[string]bool{}
		for _, r := range b.alias {
			b.reps[r] = true
		}
	}
	return &patcher{g: g, b: b, nodes: g.N(), edges: len(g.Edges), addedAt: map[edgeKey]int{}}
}

// reserve makes room in the node arrays for as many nodes as c could add
// (the arrays read from a file are exactly full: growing them by
// appending would double each and copy it).
func (p *patcher) reserve(c *store.Batch) {
	g := p.g
	rels := len(c.Shareholdings) + len(c.Roles) + len(c.Branches) + len(c.Relations)
	n := g.N() + 4*len(c.Enterprises) + len(c.Persons) + len(c.Records) + 2*rels
	g.Kinds, g.Status, g.EntKind = growTo(g.Kinds, n), growTo(g.Status, n), growTo(g.EntKind, n)
	g.Established, g.Region, g.Industry = growTo(g.Established, n), growTo(g.Region, n), growTo(g.Industry, n)
	g.Keys.reserve(n - g.Keys.Len())
	if pv := g.Previous; pv != nil {
		pv.Score, pv.Flags = growTo(pv.Score, n), growTo(pv.Flags, n)
	}
	for f := range g.patch.valOf {
		g.patch.valOf[f] = growTo(g.patch.valOf[f], n)
	}
}

// merged reports whether an enterprise key belongs to a SAME_AS set.
func (p *patcher) merged(key string) bool {
	return p.b.alias != nil && (p.b.alias[key] != "" || p.b.reps[key])
}

func (p *patcher) apply(c *store.Batch) error {
	for i := range c.Enterprises {
		if err := p.enterprise(&c.Enterprises[i]); err != nil {
			return err
		}
	}
	for i := range c.Persons {
		p.b.person(c.Persons[i].PID)
	}
	for i := range c.Records {
		if err := p.record(&c.Records[i]); err != nil {
			return err
		}
	}
	return p.relationships(c)
}

// enterprise applies an enterprise row: its attributes and its shared
// values.
func (p *patcher) enterprise(e *models.Enterprise) error {
	if p.merged(e.Key) {
		return fmt.Errorf("%w: enterprise %s of a SAME_AS set changed", ErrNotPatchable, e.Key)
	}
	g := p.g
	id := p.b.enterprise1(e.Key)
	g.Status[id] = codeOf(statuses, e.Status)
	g.Established[id] = DayOf(e.Established)
	g.EntKind[id] = codeOf(entKinds, e.Kind)
	g.Region[id] = p.b.code(0, &g.Regions, e.Region)
	g.Industry[id] = p.b.code(1, &g.Industries, e.Industry)
	var vals [3]string
	if !e.Placeholder {
		vals = [3]string{normAddress(e.Address), normPhone(e.Phone), normEmail(e.Email)}
	}
	for f, v := range vals {
		p.value(id, f, v)
	}
	return nil
}

// value makes v (normalised; "" for none) enterprise id's value of field f.
func (p *patcher) value(id int32, f int, v string) {
	sv := &p.b.shared[f]
	old := p.g.patch.valOf[f][id]
	if v == "" {
		if old >= 0 {
			p.leave(id, f, old)
		}
		return
	}
	h := sv.index.hash(v)
	if i, _, _ := sv.index.findHashed(v, h, &sv.keys); i >= 0 && i == old {
		return
	}
	if old >= 0 {
		p.leave(id, f, old)
	}
	p.b.share(id, f, v, h)
}

// leave notes that enterprise id no longer holds value i of field f:
// its link to the group goes, and with one holder left the group's last
// link too (that holder is the value's first again).
func (p *patcher) leave(id int32, f int, i int32) {
	sv := &p.b.shared[f]
	p.g.patch.valOf[f][id] = -1
	sv.count[i]--
	grp, typ := sv.group[i], EdgeAddress+EdgeType(f)
	switch {
	case sv.count[i] == 0:
		sv.first[i] = -1
	case grp >= 0:
		p.unlink(id, grp, typ)
		if sv.count[i] == 1 {
			last := p.linkedTo(grp, typ)
			p.unlink(last, grp, typ)
			sv.first[i] = last
		}
	}
}

// unlink removes the membership edge v→grp: marked in the CSR, or taken
// out of the memberships this patch added.
func (p *patcher) unlink(v, grp int32, typ EdgeType) {
	g := p.g
	if int(v) < p.nodes {
		for k := g.OutOff[v]; k < g.OutOff[v+1]; k++ {
			if e := &g.Edges[k]; e.To == grp && e.Type == typ {
				e.Type = edgeRemoved
				p.removed++
				p.removedFrom = append(p.removedFrom, v)
				return
			}
		}
	}
	p.b.members = slices.DeleteFunc(p.b.members, func(m member) bool { return m.from == v && m.to == grp })
}

// linkedTo returns an enterprise still linked to group grp.
func (p *patcher) linkedTo(grp int32, typ EdgeType) int32 {
	g := p.g
	if int(grp) < p.nodes {
		for _, k := range g.InEdges(grp) {
			if e := &g.Edges[k]; e.Type == typ {
				return e.From
			}
		}
	}
	for _, m := range p.b.members {
		if m.to == grp {
			return m.from
		}
	}
	return -1
}

// node returns the node of ref, adding a bare one when unknown (as a
// projection does for an endpoint no row lists).
func (p *patcher) node(ref models.Ref) (int32, error) {
	if ref.Kind != models.KindPerson && p.merged(ref.Key) {
		return -1, fmt.Errorf("%w: a change names %s of a SAME_AS set", ErrNotPatchable, ref.Key)
	}
	return p.b.node(ref), nil
}

// record replaces the record with r's id or adds it.
func (p *patcher) record(r *models.Record) error {
	g, ps := p.g, p.g.patch
	subject, err := p.node(r.Subject)
	if err != nil {
		return err
	}
	rec := Record{Subject: subject, Kind: p.b.code(3, &g.RecordKinds, string(r.Kind)), Severity: float32(r.Severity),
		Decided: DayOf(r.Decided), Removed: DayOf(r.Removed), Ended: NoDay}
	i, slot, h := ps.records.find(r.ID, &g.RecordIDs)
	if i >= 0 {
		p.recordsMoved = p.recordsMoved || g.Records[i].Subject != subject
		g.Records[i] = rec
		return nil
	}
	g.Records = append(g.Records, rec)
	ps.records.insert(slot, h, g.RecordIDs.add(r.ID))
	p.recordsMoved = true
	return nil
}

// relationships applies the holdings, roles, branch links and relations.
func (p *patcher) relationships(c *store.Batch) error {
	ends := func(from, to models.Ref) (int32, int32, error) {
		f, err := p.node(from)
		if err != nil {
			return 0, 0, err
		}
		t, err := p.node(to)
		return f, t, err
	}
	for _, x := range c.Shareholdings {
		f, t, err := ends(x.Holder, models.EnterpriseRef(x.Enterprise))
		if err == nil {
			err = p.relationship(Edge{From: f, To: t, Ratio: x.Ratio, Since: DayOf(x.Since), Until: NoDay, Type: EdgeHolds}, false)
		}
		if err != nil {
			return err
		}
	}
	for _, x := range c.Roles {
		f, t, err := ends(models.PersonRef(x.Person), models.EnterpriseRef(x.Enterprise))
		if err != nil {
			return err
		}
		e := Edge{From: f, To: t, Since: DayOf(x.Since), Until: DayOf(x.Until), Type: EdgeLegalRep}
		if x.Kind == models.RoleOfficer {
			e.Type, e.Title = EdgeOfficer, uint8(p.b.code(2, &p.g.Titles, x.Title))
		}
		if err := p.relationship(e, e.Type == EdgeOfficer); err != nil {
			return err
		}
	}
	for _, x := range c.Branches {
		f, t, err := ends(models.EnterpriseRef(x.Branch), models.EnterpriseRef(x.Parent))
		if err == nil {
			err = p.relationship(Edge{From: f, To: t, Since: NoDay, Until: NoDay, Type: EdgeBranch}, false)
		}
		if err != nil {
			return err
		}
	}
	for _, x := range c.Relations {
		r := x.Canonical()
		f, t, err := ends(models.PersonRef(r.A), models.PersonRef(r.B))
		if err == nil {
			err = p.relationship(Edge{From: f, To: t, Since: DayOf(r.Since), Until: NoDay, Type: EdgeRelated,
				Title: uint8(max(0, slices.Index(models.RelationKinds, r.Kind)))}, true)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// relationship replaces the edge with e's identity (type, ends, and the
// title when byTitle) or adds e.
func (p *patcher) relationship(e Edge, byTitle bool) error {
	g := p.g
	same := func(x *Edge) bool { return x.Type == e.Type && x.To == e.To && (!byTitle || x.Title == e.Title) }
	if int(e.From) < p.nodes {
		at := int32(-1)
		for k := g.OutOff[e.From]; k < g.OutOff[e.From+1]; k++ {
			if same(&g.Edges[k]) {
				if at >= 0 {
					return fmt.Errorf("%w: %s %s→%s matches more than one edge", ErrNotPatchable, e.Type, g.Ref(e.From), g.Ref(e.To))
				}
				at = k
			}
		}
		if at >= 0 {
			g.Edges[at] = e
			return nil
		}
	}
	k := edgeKey{from: e.From, to: e.To, typ: e.Type}
	if byTitle {
		k.title = e.Title
	}
	if i, ok := p.addedAt[k]; ok {
		p.added[i] = e
		return nil
	}
	p.addedAt[k] = len(p.added)
	p.added = append(p.added, e)
	return nil
}

// rebuild merges the new edges and memberships into the CSR (each node's
// saved edges, then its new relationships, then its new memberships),
// drops the removed ones, and rebuilds the in-index and the records'
// index when they changed. The saved edges between two nodes a change
// touched are copied as one block.
func (p *patcher) rebuild() error {
	g, b := p.g, p.b
	g.patch.shared = b.shared
	if e, r := int64(len(g.Edges)+len(p.added)+len(b.members)), int64(len(g.Records)); e > math.MaxInt32 || r > math.MaxInt32 {
		return fmt.Errorf("%w: %d edges and %d records; one graph holds fewer than 2^31 of each", ErrNotPatchable, e, r)
	}
	if b.g.Keys.tooLong || b.g.RecordIDs.tooLong {
		return fmt.Errorf("%w: keys or record ids too long for the key table", ErrNotPatchable)
	}
	n := g.N()
	edgesMoved := len(p.added) > 0 || len(b.members) > 0 || p.removed > 0 || n != p.nodes
	var next []int32
	if edgesMoved {
		g.Edges, g.OutOff = p.mergeEdges(n)
		b.members = nil
		next = make([]int32, n)
		g.InOff, g.In = bucketIndex(n, len(g.Edges), next, func(i int) int32 { return g.Edges[i].To })
	}
	if edgesMoved || p.recordsMoved {
		if next == nil {
			next = make([]int32, n)
		}
		g.RecOff, g.RecIdx = bucketIndex(n, len(g.Records), next, func(i int) int32 { return g.Records[i].Subject })
	}
	return nil
}

// mergeEdges returns the new edge array and out-offsets of n nodes.
func (p *patcher) mergeEdges(n int) ([]Edge, []int32) {
	g, b := p.g, p.b
	slices.SortStableFunc(p.added, func(x, y Edge) int { return cmp.Compare(x.From, y.From) })
	slices.SortStableFunc(b.members, func(x, y member) int { return cmp.Compare(x.from, y.from) })
	// The nodes whose edges change, in order.
	touched := make([]int32, 0, len(p.added)+len(b.members)+len(p.removedFrom))
	for _, e := range p.added {
		touched = append(touched, e.From)
	}
	for _, m := range b.members {
		touched = append(touched, m.from)
	}
	touched = append(touched, p.removedFrom...)
	slices.Sort(touched)
	touched = slices.Compact(touched)
	es := make([]Edge, 0, len(g.Edges)-p.removed+len(p.added)+len(b.members))
	off := make([]int32, n+1)
	a, m := p.added, b.members
	done := 0 // nodes whose offsets are set
	// setOffsets sets the offsets of the untouched saved nodes below v,
	// shifted by what the patch added and removed before them.
	setOffsets := func(v int) {
		shift := int32(len(es)) - g.OutOff[min(v, p.nodes)]
		for ; done < min(v, p.nodes); done++ {
			off[done+1] = g.OutOff[done+1] + shift
		}
		for ; done < v; done++ {
			off[done+1] = int32(len(es))
		}
	}
	from := int32(0) // the first saved edge not copied yet
	for _, v := range touched {
		if int(v) < p.nodes {
			es = append(es, g.Edges[from:g.OutOff[v]]...)
			setOffsets(int(v))
			for _, e := range g.Edges[g.OutOff[v]:g.OutOff[v+1]] {
				if e.Type != edgeRemoved {
					es = append(es, e)
				}
			}
			from = g.OutOff[v+1]
		} else {
			es = append(es, g.Edges[from:]...)
			from = int32(len(g.Edges))
			setOffsets(int(v))
		}
		for len(a) > 0 && a[0].From == v {
			es, a = append(es, a[0]), a[1:]
		}
		for len(m) > 0 && m[0].from == v {
			es, m = append(es, m[0].edge()), m[1:]
		}
		off[v+1] = int32(len(es))
		done = int(v) + 1
	}
	es = append(es, g.Edges[from:]...)
	setOffsets(n)
	return es, off
}
