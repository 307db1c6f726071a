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
// field while projecting: value i was first seen on enterprise first[i] and
// has group node group[i] (-1 until a second enterprise shares it).
type sharedValues struct {
	index        strIndex
	keys         []string
	first, group []int32
}

// builder accumulates the projection. Everything it keeps is pointer-free
// or a string that points into the scanned rows (keys are not copied).
type builder struct {
	g       *Graph
	tables  [4]map[string]uint16 // regions, industries, titles, record kinds
	shared  [3]sharedValues
	members []Edge // enterprise → group edges, appended after the relationships
	// Scratch space of a page.
	ids  []int32
	hs   []uint32
	prep []prepared
}

// Project streams the whole graph from s into CSR arrays. Relationships
// whose endpoints the scan did not list create bare nodes (as the store's
// placeholders do). Shared addresses, phones and e-mails become group nodes
// with an edge from each enterprise that has the value.
func Project(ctx context.Context, s store.Scanner) (*Graph, error) {
	b := newBuilder()
	if err := scanPages(ctx, s, b); err != nil {
		return nil, err
	}
	return b.finish(), nil
}

// reusingScanner is a scanner that can reuse its page buffers for a
// consumer that keeps nothing of a page but the rows' strings (the memory
// store): the projection does not allocate a copy of the whole graph.
type reusingScanner interface {
	ScanReuse(ctx context.Context, pageSize int, fn func(*store.Batch) error) error
}

// scanPages feeds every page of s to b, which keeps nothing of a page but
// its strings.
func scanPages(ctx context.Context, s store.Scanner, b *builder) error {
	scan := s.Scan
	if rs, ok := s.(reusingScanner); ok {
		scan = rs.ScanReuse
	}
	err := scan(ctx, ProjectPageSize, func(p *store.Batch) error {
		b.page(p)
		return nil
	})
	if err != nil {
		return fmt.Errorf("project: %w", err)
	}
	return nil
}

func (b *builder) page(p *store.Batch) {
	if n := len(p.Enterprises) + len(p.Persons); n > 0 && cap(b.g.Kinds)-len(b.g.Kinds) < n {
		b.reserveNodes(n)
	}
	b.prepareEnterprises(p.Enterprises)
	for i := range p.Enterprises {
		id := b.enterprise(&p.Enterprises[i], &b.prep[i])
		if pv := b.g.Previous; pv != nil {
			pv.set(id, p.Enterprises[i].Risk)
		}
	}
	hs := b.hashes(len(p.Persons), &b.g.perIndex, func(i int) string { return p.Persons[i].PID })
	for i := range p.Persons {
		id := b.personHashed(p.Persons[i].PID, hs[i])
		if pv := b.g.Previous; pv != nil {
			pv.set(id, p.Persons[i].Risk)
		}
	}
	for i := range p.Records {
		b.record(&p.Records[i])
	}
	if b.g.Edges == nil && len(p.Shareholdings)+len(p.Roles)+len(p.Branches) > 0 {
		// Relationships come after every node: reserve about two per node
		// and room for the group memberships once, instead of growing from
		// nothing (finish merges the memberships in place).
		b.g.Edges = make([]Edge, 0, 2*b.g.N()+len(b.members)+1024)
	}
	// Relationships arrive grouped by start node, so consecutive rows
	// mostly share it: remember the last one instead of looking it up.
	var last memo
	to := b.lookupEnterprises(len(p.Shareholdings), func(i int) string { return p.Shareholdings[i].Enterprise })
	for i := range p.Shareholdings {
		sh := &p.Shareholdings[i]
		from, ok := last.get(sh.Holder)
		if !ok {
			from = last.set(sh.Holder, b.node(sh.Holder))
		}
		if to[i] < 0 {
			to[i] = b.enterprise1(sh.Enterprise)
		}
		b.g.Edges = append(b.g.Edges, Edge{From: from, To: to[i],
			Ratio: sh.Ratio, Since: DayOf(sh.Since), Until: NoDay, Type: EdgeHolds})
	}
	to = b.lookupEnterprises(len(p.Roles), func(i int) string { return p.Roles[i].Enterprise })
	for i := range p.Roles {
		r := &p.Roles[i]
		ref := models.PersonRef(r.Person)
		from, ok := last.get(ref)
		if !ok {
			from = last.set(ref, b.person(r.Person))
		}
		if to[i] < 0 {
			to[i] = b.enterprise1(r.Enterprise)
		}
		e := Edge{From: from, To: to[i], Since: DayOf(r.Since), Until: DayOf(r.Until), Type: EdgeLegalRep}
		if r.Kind == models.RoleOfficer {
			e.Type, e.Title = EdgeOfficer, uint8(b.code(2, &b.g.Titles, r.Title))
		}
		b.g.Edges = append(b.g.Edges, e)
	}
	for i := range p.Branches {
		br := &p.Branches[i]
		b.g.Edges = append(b.g.Edges, Edge{From: b.enterprise1(br.Branch), To: b.enterprise1(br.Parent), Since: NoDay, Until: NoDay, Type: EdgeBranch})
	}
}

// lookupEnterprises returns the ids of the enterprises key(0..n-1) names,
// -1 where unknown (the caller adds those, in row order). The lookups are
// reads only, so a large page's are split between two goroutines: each is
// a cache miss or two, and the scan's producer leaves the second core
// mostly idle while the builder works through the relationships.
func (b *builder) lookupEnterprises(n int, key func(i int) string) []int32 {
	if cap(b.ids) < n {
		b.ids = make([]int32, n)
	}
	ids := b.ids[:n]
	halves(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			ids[i], _, _ = b.g.entIndex.find(key(i), b.g.Keys)
		}
	})
	return ids
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

// memo remembers the node id of the last relationship's start.
type memo struct {
	ref models.Ref
	id  int32
	ok  bool
}

func (m *memo) get(r models.Ref) (int32, bool) {
	return m.id, m.ok && r.Key == m.ref.Key && r.Kind == m.ref.Kind
}

func (m *memo) set(r models.Ref, id int32) int32 {
	*m = memo{r, id, true}
	return id
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

// reserveNodes grows the node arrays geometrically for n more nodes.
func (b *builder) reserveNodes(n int) {
	g := b.g
	want := max(2*cap(g.Kinds), len(g.Kinds)+n)
	g.Kinds = slices.Grow(g.Kinds, want-len(g.Kinds))
	g.Keys = slices.Grow(g.Keys, want-len(g.Keys))
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
	g.Keys = append(g.Keys, key)
	g.Status = append(g.Status, 0)
	g.Established = append(g.Established, NoDay)
	g.Region = append(g.Region, 0)
	g.Industry = append(g.Industry, 0)
	g.EntKind = append(g.EntKind, 0)
	if pv := g.Previous; pv != nil {
		pv.Score = append(pv.Score, math.NaN())
		pv.Flags = append(pv.Flags, 0)
	}
	return id
}

// enterprise1 returns the id of the enterprise with key, adding a bare node when unknown.
func (b *builder) enterprise1(key string) int32 {
	return b.enterpriseHashed(key, b.g.entIndex.hash(key))
}

// enterpriseHashed is enterprise1 with key's hash computed beforehand.
func (b *builder) enterpriseHashed(key string, h uint32) int32 {
	id, slot, h := b.g.entIndex.findHashed(key, h, b.g.Keys)
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
	id := b.enterpriseHashed(e.Key, pr.keyHash)
	g.Status[id] = codeOf(statuses, e.Status)
	g.Established[id] = DayOf(e.Established)
	g.EntKind[id] = codeOf(entKinds, e.Kind)
	g.Region[id] = b.code(0, &g.Regions, e.Region)
	g.Industry[id] = b.code(1, &g.Industries, e.Industry)
	for f, v := range pr.vals {
		if v != "" {
			b.share(id, f, v, pr.valHash[f])
		}
	}
	return id
}

// share notes that enterprise id has value v (hash h) of field f (0
// address, 1 phone, 2 email).
func (b *builder) share(id int32, f int, v string, h uint32) {
	sv := &b.shared[f]
	i, slot, h := sv.index.findHashed(v, h, sv.keys)
	if i < 0 {
		sv.keys = append(sv.keys, v)
		sv.first = append(sv.first, id)
		sv.group = append(sv.group, -1)
		sv.index.insert(slot, h, int32(len(sv.keys)-1))
		return
	}
	grp := sv.group[i]
	if grp < 0 {
		grp = b.addNode(NodeAddress+NodeKind(f), v)
		sv.group[i] = grp
		b.members = append(b.members, Edge{From: sv.first[i], To: grp, Since: NoDay, Until: NoDay, Type: EdgeAddress + EdgeType(f)})
	}
	b.members = append(b.members, Edge{From: id, To: grp, Since: NoDay, Until: NoDay, Type: EdgeAddress + EdgeType(f)})
}

func (b *builder) person(pid string) int32 { return b.personHashed(pid, b.g.perIndex.hash(pid)) }

// personHashed is person with pid's hash computed beforehand.
func (b *builder) personHashed(pid string, h uint32) int32 {
	id, slot, h := b.g.perIndex.findHashed(pid, h, b.g.Keys)
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

func (b *builder) record(r *models.Record) {
	g := b.g
	g.Records = append(g.Records, Record{
		Subject:  b.node(r.Subject),
		Kind:     b.code(3, &g.RecordKinds, string(r.Kind)),
		Severity: float32(r.Severity),
		Decided:  DayOf(r.Decided),
		Removed:  DayOf(r.Removed),
	})
	g.RecordIDs = append(g.RecordIDs, r.ID)
}

// finish sorts the edges into CSR order and indexes records by subject.
func (b *builder) finish() *Graph {
	g := b.g
	members := b.members
	b.members, b.shared, b.tables = nil, [3]sharedValues{}, [4]map[string]uint16{}
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
	next := make([]int64, n)
	g.InOff, g.In = bucketIndex(n, len(g.Edges), next, func(i int) int32 { return g.Edges[i].To })
	g.RecOff, g.RecIdx = bucketIndex(n, len(g.Records), next, func(i int) int32 { return g.Records[i].Subject })
	return g
}

// mergeOut returns rels (sorted by From) and members grouped by From, each
// node's relationships before its memberships, with the out-offsets. It
// sorts members and merges them into rels in place, from the back, so no
// second edge array is needed when rels has the capacity.
func mergeOut(n int, rels, members []Edge) ([]Edge, []int64) {
	slices.SortStableFunc(members, func(x, y Edge) int { return cmp.Compare(x.From, y.From) })
	m := len(rels)
	es := slices.Grow(rels, len(members))[:m+len(members)]
	i, j := m-1, len(members)-1
	for k := len(es) - 1; j >= 0; k-- {
		if i >= 0 && es[i].From > members[j].From {
			es[k] = es[i]
			i--
		} else {
			es[k] = members[j]
			j--
		}
	}
	off := make([]int64, n+1)
	for i := range es {
		off[es[i].From+1]++
	}
	for v := 0; v < n; v++ {
		off[v+1] += off[v]
	}
	return es, off
}

// countOut is mergeOut for rels in any order: a stable counting sort by
// From into a new array.
func countOut(n int, rels, members []Edge) ([]Edge, []int64) {
	off := make([]int64, n+1)
	for _, list := range [2][]Edge{rels, members} {
		for i := range list {
			off[list[i].From+1]++
		}
	}
	for v := 0; v < n; v++ {
		off[v+1] += off[v]
	}
	sorted := make([]Edge, off[n])
	next := make([]int64, n)
	copy(next, off[:n])
	for _, list := range [2][]Edge{rels, members} {
		for i := range list {
			f := list[i].From
			sorted[next[f]] = list[i]
			next[f]++
		}
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
func bucketIndex(n, m int, next []int64, key func(i int) int32) (off []int64, idx []int32) {
	off = make([]int64, n+1)
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
