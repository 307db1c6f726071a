package engine

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sync"

	"riskgraph/models"
	"riskgraph/store"
)

// ProjectPageSize is the page size Project asks the store for.
const ProjectPageSize = 10_000

// sharedValues tracks the normalised addresses, phones or e-mails of one
// field while projecting: count[i] enterprises hold value i, the first of
// them (while it is the only one) is first[i], and its group node is
// group[i] (-1 until a second enterprise shares it). A graph kept for a
// snapshot keeps them (patchState): a value may then lose its holders
// (Patch), its group node staying without edges until two enterprises
// share the value again.
type sharedValues struct {
	index               strIndex
	keys                KeyTable
	first, group, count []int32
}

// patchState is what a projection made for a snapshot keeps beside the
// graph so that the next run can patch it (patch.go): the shared values of
// each field, the value each node holds (valOf[f][v], -1 for none), and
// the records by id (built when the graph is first saved).
type patchState struct {
	shared  [3]sharedValues
	valOf   [3][]int32
	records strIndex
	// recordsIndexed is set once records indexes every record.
	recordsIndexed bool
	// ownPrev is the ownership state a snapshot kept (read by the run's
	// ownership, then dropped); ownNext the run's, saved with the
	// snapshot (ownership_incr.go).
	ownPrev, ownNext *ownershipState
}

// builder accumulates the projection. Everything it keeps is pointer-free
// or in a KeyTable, which copies the scanned rows' keys unless the scan
// says they are the store's own (store.ProjectionPage.StringsKept).
type builder struct {
	g       *Graph
	tables  [4]map[string]uint16 // regions, industries, titles, record kinds
	shared  [3]sharedValues
	members []member // enterprise → group edges, merged after the relationships
	// nums maps the node numbers of a projection scan to ids (-1: not
	// seen yet); empty for a plain scan.
	nums []int32
	// sized is set once the arrays are reserved from the first page's
	// sizes; rels is the number of relationships expected (0: unknown),
	// numLimit the density bound of the node numbers those sizes give.
	sized    bool
	rels     int
	numLimit int64
	// alias maps the members of SAME_AS sets to their representative's
	// key, reps holds the representatives (nil without sets); merged
	// tracks the representatives' nodes (sameas.go).
	alias  map[string]string
	reps   map[string]bool
	merged map[int32]*mergedNode
	// Scratch space of a page.
	res  []resolved
	hs   []uint32
	prep []prepared
}

// Project streams the whole graph from s into CSR arrays. Relationships
// whose endpoints the scan did not list create bare nodes (as the store's
// placeholders do). Shared addresses, phones and e-mails become group nodes
// with an edge from each enterprise that has the value.
func Project(ctx context.Context, s store.Scanner) (*Graph, error) {
	return ProjectSameAs(ctx, s, nil)
}

// ProjectSameAs is Project with the SAME_AS sets (of enterprise keys)
// each projected as one node (sameas.go).
func ProjectSameAs(ctx context.Context, s store.Scanner, sets [][]string) (*Graph, error) {
	b := newBuilder()
	b.setSameAs(sets)
	if err := scanPages(ctx, s, b); err != nil {
		return nil, err
	}
	if err := b.checkSize(); err != nil {
		return nil, err
	}
	return b.finish(), nil
}

// projectForSnapshot is ProjectSameAs (with Graph.Previous when previous
// is set) keeping what Patch needs (patchState) for the projection
// snapshot.
func projectForSnapshot(ctx context.Context, s store.Scanner, sets [][]string, previous bool) (*Graph, error) {
	b := newBuilder()
	b.setSameAs(sets)
	b.g.patch = &patchState{}
	if previous {
		b.g.Previous = &Previous{}
	}
	if err := scanPages(ctx, s, b); err != nil {
		return nil, err
	}
	if err := b.checkSize(); err != nil {
		return nil, err
	}
	return b.finish(), nil
}

// setSameAs makes the builder project each set as one node.
func (b *builder) setSameAs(sets [][]string) {
	b.alias = aliasesOf(sets)
	if b.alias != nil {
		b.reps = map[string]bool{}
		for _, r := range b.alias {
			b.reps[r] = true
		}
	}
}

// scanPages feeds every page of s to b, which keeps nothing of a page but
// its strings. A store.ProjectionScanner is preferred: its node numbers
// resolve relationship endpoints without hashing their keys.
func scanPages(ctx context.Context, s store.Scanner, b *builder) error {
	err := store.ScanForProjection(ctx, s, ProjectPageSize, func(p *store.ProjectionPage) error {
		b.page(p)
		return nil
	})
	if err != nil {
		return fmt.Errorf("project: %w", err)
	}
	return nil
}

// byNumber returns the id of the node numbered n, or -1.
func (b *builder) byNumber(n int32) int32 {
	if n >= 0 && int(n) < len(b.nums) {
		return b.nums[n]
	}
	return -1
}

// numbered notes that node number n is id. Numbers beyond the density the
// contract promises are ignored (those nodes are found by key).
func (b *builder) numbered(n, id int32) {
	if n < 0 || int64(n) >= max(8*int64(len(b.g.Kinds)), b.numLimit)+1<<21 {
		return
	}
	if old := len(b.nums); int(n) >= old {
		grown := max(int(n)+1, 2*old, 1024)
		if c := cap(b.nums); c > int(n) {
			grown = c // the reserved room first
		}
		b.nums = slices.Grow(b.nums, grown-old)[:grown]
		for i := old; i < grown; i++ {
			b.nums[i] = -1
		}
	}
	b.nums[n] = id
}

func (b *builder) page(pp *store.ProjectionPage) {
	p := &pp.Batch
	if !b.sized {
		b.sized = true
		b.shareStrings(pp.StringsKept)
		b.reserve(pp.Sizes)
	}
	if n := len(p.Enterprises) + len(p.Persons); n > 0 && cap(b.g.Kinds)-len(b.g.Kinds) < n {
		b.reserveNodes(n)
	}
	b.prepareEnterprises(p.Enterprises)
	for i := range p.Enterprises {
		id := b.enterprise(&p.Enterprises[i], &b.prep[i])
		b.numbered(store.NumberAt(pp.EnterpriseNums, i), id)
		if pv := b.g.Previous; pv != nil && b.canon(p.Enterprises[i].Key) == p.Enterprises[i].Key {
			pv.set(id, p.Enterprises[i].Risk)
		}
	}
	hs := b.hashes(len(p.Persons), &b.g.perIndex, func(i int) string { return p.Persons[i].PID })
	for i := range p.Persons {
		id := b.personHashed(p.Persons[i].PID, hs[i])
		b.numbered(store.NumberAt(pp.PersonNums, i), id)
		if pv := b.g.Previous; pv != nil {
			pv.set(id, p.Persons[i].Risk)
		}
	}
	for i := range p.Records {
		b.record(&p.Records[i], store.NumberAt(pp.RecordSubjects, i))
	}
	if b.g.Edges == nil && len(p.Shareholdings)+len(p.Roles)+len(p.Branches)+len(p.Relations) > 0 {
		// Relationships come after every node: reserve what the scan
		// expects (else about two per node) and room for the group
		// memberships once, instead of growing from nothing (finish merges
		// the memberships in place).
		rels := b.rels
		if rels == 0 {
			rels = 2 * b.g.N()
		}
		b.g.Edges = make([]Edge, 0, rels+rels/64+len(b.members)+1024)
	}
	// The endpoints' ids are looked up on two goroutines first (reads
	// only); the sequential pass adds what is unknown, in row order.
	first := len(b.g.Edges)
	shs := p.Shareholdings
	res := b.resolve(len(shs), pp.ShareholdingEnds, func(i int) models.Ref { return shs[i].Holder },
		func(i int) string { return shs[i].Enterprise }, nil)
	from := int32(-1)
	for i := range shs {
		sh := &shs[i]
		from = b.from(res[i].from, from, sh.Holder, store.EndsAt(pp.ShareholdingEnds, i).From)
		to := b.to(res[i].to, sh.Enterprise, store.EndsAt(pp.ShareholdingEnds, i).To)
		if from == to && b.alias != nil && sh.Holder.Key != sh.Enterprise {
			continue // a holding inside a SAME_AS set
		}
		b.g.Edges = append(b.g.Edges, Edge{From: from, To: to,
			Ratio: sh.Ratio, Since: DayOf(sh.Since), Until: NoDay, Type: EdgeHolds})
	}
	roles := p.Roles
	res = b.resolve(len(roles), pp.RoleEnds, func(i int) models.Ref { return models.PersonRef(roles[i].Person) },
		func(i int) string { return roles[i].Enterprise },
		func(i int) (string, bool) { return roles[i].Title, roles[i].Kind == models.RoleOfficer })
	for i := range roles {
		r := &roles[i]
		from = b.from(res[i].from, from, models.PersonRef(r.Person), store.EndsAt(pp.RoleEnds, i).From)
		e := Edge{From: from, To: b.to(res[i].to, r.Enterprise, store.EndsAt(pp.RoleEnds, i).To),
			Since: DayOf(r.Since), Until: DayOf(r.Until), Type: EdgeLegalRep}
		if r.Kind == models.RoleOfficer {
			t := res[i].title
			if t < 0 {
				t = int32(b.code(2, &b.g.Titles, r.Title))
			}
			e.Type, e.Title = EdgeOfficer, uint8(t)
		}
		b.g.Edges = append(b.g.Edges, e)
	}
	brs := p.Branches
	res = b.resolve(len(brs), pp.BranchEnds, func(i int) models.Ref { return models.EnterpriseRef(brs[i].Branch) },
		func(i int) string { return brs[i].Parent }, nil)
	for i := range brs {
		br := &brs[i]
		from = b.from(res[i].from, from, models.EnterpriseRef(br.Branch), store.EndsAt(pp.BranchEnds, i).From)
		to := b.to(res[i].to, br.Parent, store.EndsAt(pp.BranchEnds, i).To)
		if from == to && b.alias != nil {
			continue // a branch link inside a SAME_AS set
		}
		b.g.Edges = append(b.g.Edges, Edge{From: from, To: to, Since: NoDay, Until: NoDay, Type: EdgeBranch})
	}
	for i := range p.Relations {
		r := &p.Relations[i]
		ends := store.EndsAt(pp.RelationEnds, i)
		a, c := b.byNumber(ends.From), b.byNumber(ends.To)
		if a < 0 {
			a = b.person(r.A)
			b.numbered(ends.From, a)
		}
		if c < 0 {
			c = b.person(r.B)
			b.numbered(ends.To, c)
		}
		b.g.Edges = append(b.g.Edges, Edge{From: a, To: c, Since: DayOf(r.Since), Until: NoDay, Type: EdgeRelated,
			Title: uint8(max(0, slices.Index(models.RelationKinds, r.Kind)))})
	}
	// A page lists its relationships by type; put them in start node order
	// (stably: the order finish's counting sort would give). When pages end
	// between start nodes, as the memory store's do, the whole edge array
	// is then in order and finish merges in place.
	if page := b.g.Edges[first:]; !sortedByFrom(page) {
		slices.SortStableFunc(page, func(x, y Edge) int { return cmp.Compare(x.From, y.From) })
	}
}

// resolved is what the parallel pass of resolve found for one relationship row.
type resolved struct {
	// from and to are the endpoints' ids, -1 when unknown; from is
	// sameFrom when the row starts where the previous row does (rows come
	// grouped by start node).
	from, to int32
	// title is the officer title's code, -1 when the title is new.
	title int32
}

const sameFrom = -2

// resolve looks up the endpoints (and officer titles) of n relationship
// rows on two goroutines: by their node numbers (ends) where the scan gave
// them, else by key. It only reads the indexes and tables: each lookup is
// a cache miss or two, and the scan's producer leaves the second core
// mostly idle while the builder works through the relationships.
func (b *builder) resolve(n int, ends []store.Ends, from func(i int) models.Ref, to func(i int) string, title func(i int) (string, bool)) []resolved {
	if cap(b.res) < n {
		b.res = make([]resolved, n)
	}
	res := b.res[:n]
	halves(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			rv := &res[i]
			e := store.EndsAt(ends, i)
			rv.to, rv.from = b.byNumber(e.To), b.byNumber(e.From)
			if rv.to < 0 {
				rv.to, _, _ = b.g.entIndex.find(b.canon(to(i)), &b.g.Keys)
			}
			if rv.from < 0 {
				switch f := from(i); {
				case i > 0 && from(i-1) == f:
					rv.from = sameFrom
				case f.Kind == models.KindPerson:
					rv.from, _, _ = b.g.perIndex.find(f.Key, &b.g.Keys)
				default:
					rv.from, _, _ = b.g.entIndex.find(b.canon(f.Key), &b.g.Keys)
				}
			}
			rv.title = -1
			if title != nil {
				if t, ok := title(i); ok {
					if c, ok := b.tables[2][t]; ok {
						rv.title = int32(c)
					}
				}
			}
		}
	})
	return res
}

// from returns the start node of a row from what resolve found (adding
// the node, numbered n, when unknown); prev is the previous row's.
func (b *builder) from(found, prev int32, r models.Ref, n int32) int32 {
	switch {
	case found == sameFrom:
		return prev
	case found >= 0:
		return found
	}
	id := b.node(r)
	b.numbered(n, id)
	return id
}

// to returns the enterprise a row ends at from what resolve found (adding
// it, numbered n, when unknown).
func (b *builder) to(found int32, key string, n int32) int32 {
	if found >= 0 {
		return found
	}
	id := b.enterprise1(key)
	b.numbered(n, id)
	return id
}

// halves calls f over [0,n), split between two goroutines when n is large.
func halves(n int, f func(lo, hi int)) {
	if n < 1024 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	wg.Go(func() { f(0, n/2) })
	f(n/2, n)
	wg.Wait()
}

// hashes returns the hashes in index x of key(0..n-1), computed on two
// goroutines: reading each key is a cache miss, and the sequential inserts
// that follow then touch only the table.
func (b *builder) hashes(n int, x *strIndex, key func(i int) string) []uint32 {
	if cap(b.hs) < n {
		b.hs = make([]uint32, n)
	}
	hs := b.hs[:n]
	halves(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			hs[i] = x.hash(key(i))
		}
	})
	return hs
}

// prepared is what can be computed for an enterprise row before it is
// added (on two goroutines): its key's hash, and its normalised address,
// phone and e-mail with their hashes.
type prepared struct {
	keyHash uint32
	valHash [3]uint32
	vals    [3]string
}

// prepareEnterprises fills b.prep for a page's enterprises.
func (b *builder) prepareEnterprises(es []models.Enterprise) {
	if cap(b.prep) < len(es) {
		b.prep = make([]prepared, len(es))
	}
	b.prep = b.prep[:len(es)]
	halves(len(es), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			e, pr := &es[i], &b.prep[i]
			pr.keyHash = b.g.entIndex.hash(e.Key)
			pr.vals = [3]string{}
			if !e.Placeholder {
				pr.vals = [3]string{normAddress(e.Address), normPhone(e.Phone), normEmail(e.Email)}
			}
			for f, v := range pr.vals {
				if v != "" {
					pr.valHash[f] = b.shared[f].index.hash(v)
				}
			}
		}
	})
}

func newBuilder() *builder {
	b := &builder{g: &Graph{entIndex: newStrIndex(), perIndex: newStrIndex()}}
	for i := range b.tables {
		b.tables[i] = map[string]uint16{}
	}
	for i := range b.shared {
		b.shared[i].index = newStrIndex()
	}
	b.code(0, &b.g.Regions, "")
	b.code(1, &b.g.Industries, "")
	b.code(2, &b.g.Titles, "")
	return b
}

// code interns v in table t (0 regions, 1 industries, 2 titles, 3 record
// kinds) and returns its index.
func (b *builder) code(t int, table *[]string, v string) uint16 {
	if c, ok := b.tables[t][v]; ok {
		return c
	}
	c := uint16(len(*table))
	*table = append(*table, v)
	b.tables[t][v] = c
	return c
}

// shareStrings makes the builder's key tables keep the rows' strings
// instead of copying them, when kept says they are the store's own.
func (b *builder) shareStrings(kept bool) {
	b.g.Keys.share(kept)
	b.g.RecordIDs.share(kept)
	for f := range b.shared {
		b.shared[f].keys.share(kept)
	}
}

// reserve sizes the node arrays, key indexes and number table for what a
// scan expects, so that they are allocated once instead of grown (and
// their old copies left to the collector). Group nodes come on top of the
// enterprises and persons: room for one per eight enterprises is kept.
func (b *builder) reserve(sz store.ScanSizes) {
	nodes := sz.Enterprises + sz.Persons
	if nodes <= 0 {
		return
	}
	b.reserveNodes(nodes + sz.Enterprises/8)
	b.g.entIndex.reserve(sz.Enterprises)
	b.g.perIndex.reserve(sz.Persons)
	b.rels = sz.Relationships
	b.numLimit = 4 * int64(nodes) // store.ProjectionScanner's bound, less its constant
	b.nums = slices.Grow(b.nums, nodes+nodes/64)
	// Each shared field has at most one value per enterprise.
	for f := range b.shared {
		sv := &b.shared[f]
		sv.keys.reserve(sz.Enterprises)
		sv.first = slices.Grow(sv.first, sz.Enterprises)
		sv.group = slices.Grow(sv.group, sz.Enterprises)
		sv.count = slices.Grow(sv.count, sz.Enterprises)
		sv.index.reserve(sz.Enterprises)
	}
}

// reserveNodes grows the node arrays geometrically for n more nodes.
func (b *builder) reserveNodes(n int) {
	g := b.g
	want := max(2*cap(g.Kinds), len(g.Kinds)+n)
	g.Kinds = slices.Grow(g.Kinds, want-len(g.Kinds))
	g.Keys.reserve(want - g.Keys.Len())
	g.Status = slices.Grow(g.Status, want-len(g.Status))
	g.Established = slices.Grow(g.Established, want-len(g.Established))
	g.Region = slices.Grow(g.Region, want-len(g.Region))
	g.Industry = slices.Grow(g.Industry, want-len(g.Industry))
	g.EntKind = slices.Grow(g.EntKind, want-len(g.EntKind))
}

func (b *builder) addNode(k NodeKind, key string) int32 {
	g := b.g
	id := int32(len(g.Kinds))
	g.Kinds = append(g.Kinds, k)
	g.Keys.add(key)
	g.Status = append(g.Status, 0)
	g.Established = append(g.Established, NoDay)
	g.Region = append(g.Region, 0)
	g.Industry = append(g.Industry, 0)
	g.EntKind = append(g.EntKind, 0)
	if pv := g.Previous; pv != nil {
		pv.Score = append(pv.Score, math.NaN())
		pv.Flags = append(pv.Flags, 0)
		if pv.Exact != nil {
			pv.Exact = append(pv.Exact, math.NaN())
		}
	}
	if ps := g.patch; ps != nil {
		for f := range ps.valOf {
			ps.valOf[f] = append(ps.valOf[f], -1)
		}
	}
	return id
}

// enterprise1 returns the id of the enterprise with key, adding a bare node when unknown.
func (b *builder) enterprise1(key string) int32 {
	key = b.canon(key)
	return b.enterpriseHashed(key, b.g.entIndex.hash(key))
}

// enterpriseHashed is enterprise1 with key's hash computed beforehand.
func (b *builder) enterpriseHashed(key string, h uint32) int32 {
	id, slot, h := b.g.entIndex.findHashed(key, h, &b.g.Keys)
	if id >= 0 {
		return id
	}
	id = b.addNode(NodeEnterprise, key)
	b.g.entIndex.insert(slot, h, id)
	b.g.NumEnterprises++
	return id
}

func (b *builder) enterprise(e *models.Enterprise, pr *prepared) int32 {
	g := b.g
	id, attrs := int32(-1), true
	var m *mergedNode
	if b.alias != nil {
		if rep := b.canon(e.Key); rep != e.Key || b.reps[e.Key] {
			id, attrs = b.mergedRow(e, rep)
			m = b.merged[id]
		}
	}
	if id < 0 {
		id = b.enterpriseHashed(e.Key, pr.keyHash)
	}
	if attrs {
		g.Status[id] = codeOf(statuses, e.Status)
		g.Established[id] = DayOf(e.Established)
		g.EntKind[id] = codeOf(entKinds, e.Kind)
		g.Region[id] = b.code(0, &g.Regions, e.Region)
		g.Industry[id] = b.code(1, &g.Industries, e.Industry)
	}
	for f, v := range pr.vals {
		if v != "" {
			if m != nil {
				k := string(rune('0'+f)) + ":" + v
				if m.vals[k] {
					continue
				}
				m.vals[k] = true
			}
			b.share(id, f, v, pr.valHash[f])
		}
	}
	return id
}

// share notes that enterprise id has value v (hash h) of field f (0
// address, 1 phone, 2 email): the second enterprise with a value makes
// its group node (or finds the one it had, patch.go) and links the first
// to it; every further one links itself.
func (b *builder) share(id int32, f int, v string, h uint32) {
	sv := &b.shared[f]
	i, slot, h := sv.index.findHashed(v, h, &sv.keys)
	if i < 0 {
		i = sv.keys.add(v)
		sv.index.insert(slot, h, i)
		sv.first = append(sv.first, id)
		sv.group = append(sv.group, -1)
		sv.count = append(sv.count, 1)
		b.holds(f, id, i)
		return
	}
	b.holds(f, id, i)
	sv.count[i]++
	typ := EdgeAddress + EdgeType(f)
	switch sv.count[i] {
	case 1: // a value no enterprise held any more (Patch)
		sv.first[i] = id
		return
	case 2:
		if sv.group[i] < 0 {
			sv.group[i] = b.addNode(NodeAddress+NodeKind(f), v)
		}
		b.members = append(b.members, member{sv.first[i], sv.group[i], typ})
	}
	b.members = append(b.members, member{id, sv.group[i], typ})
}

// holds notes, for a graph kept for a snapshot, that node id holds value i
// of field f.
func (b *builder) holds(f int, id, i int32) {
	if ps := b.g.patch; ps != nil {
		ps.valOf[f][id] = i
	}
}

func (b *builder) person(pid string) int32 { return b.personHashed(pid, b.g.perIndex.hash(pid)) }

// personHashed is person with pid's hash computed beforehand.
func (b *builder) personHashed(pid string, h uint32) int32 {
	id, slot, h := b.g.perIndex.findHashed(pid, h, &b.g.Keys)
	if id >= 0 {
		return id
	}
	id = b.addNode(NodePerson, pid)
	b.g.perIndex.insert(slot, h, id)
	b.g.NumPersons++
	return id
}

func (b *builder) node(r models.Ref) int32 {
	if r.Kind == models.KindPerson {
		return b.person(r.Key)
	}
	return b.enterprise1(r.Key)
}

// record adds a record whose subject has node number n.
func (b *builder) record(r *models.Record, n int32) {
	g := b.g
	subject := b.byNumber(n)
	if subject < 0 {
		subject = b.node(r.Subject)
		b.numbered(n, subject)
	}
	g.Records = append(g.Records, Record{
		Subject:  subject,
		Kind:     b.code(3, &g.RecordKinds, string(r.Kind)),
		Severity: float32(r.Severity),
		Decided:  DayOf(r.Decided),
		Removed:  DayOf(r.Removed),
		Ended:    NoDay,
	})
	g.RecordIDs.add(r.ID)
}

// checkSize refuses a graph whose edges or records the int32 indices and
// offsets of Graph cannot number.
func (b *builder) checkSize() error {
	if e, r := int64(len(b.g.Edges))+int64(len(b.members)), int64(len(b.g.Records)); e > math.MaxInt32 || r > math.MaxInt32 {
		return fmt.Errorf("project: %d edges and %d records; one graph holds fewer than 2^31 of each", e, r)
	}
	if b.g.Keys.tooLong || b.g.RecordIDs.tooLong {
		return fmt.Errorf("project: keys or record ids of 64 KiB on average; the key table holds at most 4 GiB per %d keys", keyBlock)
	}
	return nil
}

// finish sorts the edges into CSR order and indexes records by subject.
func (b *builder) finish() *Graph {
	g := b.g
	b.dedupeMerged()
	g.sameAs = b.alias
	members := b.members
	if g.patch != nil {
		for f := range b.shared {
			b.shared[f].keys.done()
		}
		g.patch.shared = b.shared
	}
	b.members, b.shared, b.tables, b.nums = nil, [3]sharedValues{}, [4]map[string]uint16{}, nil
	b.merged = nil
	g.Keys.done()
	g.RecordIDs.done()
	n := g.N()
	// Out-CSR: the relationships (in scan order within a node), then the
	// group memberships, grouped by From.
	if sortedByFrom(g.Edges) {
		// The usual case: the scan listed relationships by start node in
		// node order.
		g.Edges, g.OutOff = mergeOut(n, g.Edges, members)
	} else {
		g.Edges, g.OutOff = countOut(n, g.Edges, members)
	}
	// In-CSR over edge indices, and records by subject.
	next := make([]int32, n)
	g.InOff, g.In = bucketIndex(n, len(g.Edges), next, func(i int) int32 { return g.Edges[i].To })
	g.RecOff, g.RecIdx = bucketIndex(n, len(g.Records), next, func(i int) int32 { return g.Records[i].Subject })
	return g
}

// member is an enterprise's edge to a group node, kept in 12 bytes until
// finish makes it an Edge.
type member struct {
	from, to int32
	typ      EdgeType
}

func (m member) edge() Edge {
	return Edge{From: m.from, To: m.to, Since: NoDay, Until: NoDay, Type: m.typ}
}

// mergeOut returns rels (sorted by From) and members grouped by From, each
// node's relationships before its memberships, with the out-offsets. It
// sorts members and merges them into rels in place, from the back, so no
// second edge array is needed when rels has the capacity.
func mergeOut(n int, rels []Edge, members []member) ([]Edge, []int32) {
	slices.SortStableFunc(members, func(x, y member) int { return cmp.Compare(x.from, y.from) })
	m := len(rels)
	es := slices.Grow(rels, len(members))[:m+len(members)]
	i, j := m-1, len(members)-1
	for k := len(es) - 1; j >= 0; k-- {
		if i >= 0 && es[i].From > members[j].from {
			es[k] = es[i]
			i--
		} else {
			es[k] = members[j].edge()
			j--
		}
	}
	return es, outOffsets(n, es)
}

// outOffsets returns the offsets of the edges of each node in es, which
// is grouped by From.
func outOffsets(n int, es []Edge) []int32 {
	off := make([]int32, n+1)
	for i := range es {
		off[es[i].From+1]++
	}
	for v := 0; v < n; v++ {
		off[v+1] += off[v]
	}
	return off
}

// countOut is mergeOut for rels in any order: a stable counting sort by
// From into a new array. (Moving the edges in place along the
// permutation's cycles would save that array, 32 bytes per edge, but costs
// ten times the time: every move is a cache miss.)
func countOut(n int, rels []Edge, members []member) ([]Edge, []int32) {
	off := make([]int32, n+1)
	for i := range rels {
		off[rels[i].From+1]++
	}
	for i := range members {
		off[members[i].from+1]++
	}
	for v := 0; v < n; v++ {
		off[v+1] += off[v]
	}
	sorted := make([]Edge, off[n])
	next := make([]int32, n)
	copy(next, off[:n])
	for i := range rels {
		f := rels[i].From
		sorted[next[f]] = rels[i]
		next[f]++
	}
	for i := range members {
		f := members[i].from
		sorted[next[f]] = members[i].edge()
		next[f]++
	}
	return sorted, off
}

// sortedByFrom reports whether the edges are in non-decreasing From order.
func sortedByFrom(es []Edge) bool {
	for i := 1; i < len(es); i++ {
		if es[i].From < es[i-1].From {
			return false
		}
	}
	return true
}

// bucketIndex groups the indices 0..m-1 by the node key(i) gives, in index
// order within a node (a counting sort): idx[off[v]:off[v+1]] are node v's.
// next is scratch space of n entries.
func bucketIndex(n, m int, next []int32, key func(i int) int32) (off []int32, idx []int32) {
	off = make([]int32, n+1)
	for i := 0; i < m; i++ {
		off[key(i)+1]++
	}
	for v := 0; v < n; v++ {
		off[v+1] += off[v]
	}
	idx = make([]int32, m)
	copy(next, off[:n])
	for i := 0; i < m; i++ {
		k := key(i)
		idx[next[k]] = int32(i)
		next[k]++
	}
	return off, idx
}
