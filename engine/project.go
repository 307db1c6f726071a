package engine

import (
	"context"
	"fmt"

	"riskgraph/models"
	"riskgraph/store"
)

// ProjectPageSize is the page size Project asks the store for.
const ProjectPageSize = 10_000

// sharedValue tracks one normalised address, phone or email while projecting.
type sharedValue struct {
	first int32 // the first enterprise with the value
	group int32 // the group node, -1 until a second enterprise shares it
}

// builder accumulates the projection.
type builder struct {
	g       *Graph
	intern  map[string]uint16 // region, industry, title and record-kind tables
	shared  [3]map[string]*sharedValue
	members []Edge // enterprise → group edges, From/To resolved later
}

// Project streams the whole graph from s into CSR arrays. Relationships
// whose endpoints the scan did not list create bare nodes (as the store's
// placeholders do). Shared addresses, phones and e-mails become group nodes
// with an edge from each enterprise that has the value.
func Project(ctx context.Context, s store.Scanner) (*Graph, error) {
	b := newBuilder()
	err := s.Scan(ctx, ProjectPageSize, func(p *store.Batch) error {
		for i := range p.Enterprises {
			b.enterprise(&p.Enterprises[i])
		}
		for i := range p.Persons {
			b.person(p.Persons[i].PID)
		}
		for i := range p.Records {
			b.record(&p.Records[i])
		}
		for i := range p.Shareholdings {
			sh := &p.Shareholdings[i]
			b.g.Edges = append(b.g.Edges, Edge{From: b.node(sh.Holder), To: b.enterprise1(sh.Enterprise),
				Ratio: sh.Ratio, Since: DayOf(sh.Since), Until: NoDay, Type: EdgeHolds})
		}
		for i := range p.Roles {
			r := &p.Roles[i]
			e := Edge{From: b.person(r.Person), To: b.enterprise1(r.Enterprise), Since: DayOf(r.Since), Until: DayOf(r.Until), Type: EdgeLegalRep}
			if r.Kind == models.RoleOfficer {
				e.Type, e.Title = EdgeOfficer, uint8(b.code(&b.g.Titles, "t"+r.Title, r.Title))
			}
			b.g.Edges = append(b.g.Edges, e)
		}
		for i := range p.Branches {
			br := &p.Branches[i]
			b.g.Edges = append(b.g.Edges, Edge{From: b.enterprise1(br.Branch), To: b.enterprise1(br.Parent), Since: NoDay, Until: NoDay, Type: EdgeBranch})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("project: %w", err)
	}
	return b.finish(), nil
}

func newBuilder() *builder {
	b := &builder{
		g:      &Graph{entIndex: map[string]int32{}, perIndex: map[string]int32{}},
		intern: map[string]uint16{},
	}
	for i := range b.shared {
		b.shared[i] = map[string]*sharedValue{}
	}
	b.code(&b.g.Regions, "r", "")
	b.code(&b.g.Industries, "i", "")
	b.code(&b.g.Titles, "t", "")
	return b
}

// code interns v in table (namespaced by the prefix of key) and returns its index.
func (b *builder) code(table *[]string, key, v string) uint16 {
	if c, ok := b.intern[key]; ok {
		return c
	}
	c := uint16(len(*table))
	*table = append(*table, v)
	b.intern[key] = c
	return c
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
	return id
}

// enterprise1 returns the id of the enterprise with key, adding a bare node when unknown.
func (b *builder) enterprise1(key string) int32 {
	if id, ok := b.g.entIndex[key]; ok {
		return id
	}
	id := b.addNode(NodeEnterprise, key)
	b.g.entIndex[key] = id
	b.g.NumEnterprises++
	return id
}

func (b *builder) enterprise(e *models.Enterprise) {
	g := b.g
	id := b.enterprise1(e.Key)
	g.Status[id] = codeOf(statuses, e.Status)
	g.Established[id] = DayOf(e.Established)
	g.EntKind[id] = codeOf(entKinds, e.Kind)
	g.Region[id] = b.code(&g.Regions, "r"+e.Region, e.Region)
	g.Industry[id] = b.code(&g.Industries, "i"+e.Industry, e.Industry)
	if e.Placeholder {
		return
	}
	b.share(id, 0, normAddress(e.Address))
	b.share(id, 1, normPhone(e.Phone))
	b.share(id, 2, normEmail(e.Email))
}

// share notes that enterprise id has value v of field f (0 address, 1 phone, 2 email).
func (b *builder) share(id int32, f int, v string) {
	if v == "" {
		return
	}
	sv := b.shared[f][v]
	if sv == nil {
		b.shared[f][v] = &sharedValue{first: id, group: -1}
		return
	}
	if sv.group < 0 {
		sv.group = b.addNode(NodeAddress+NodeKind(f), v)
		b.members = append(b.members, Edge{From: sv.first, To: sv.group, Since: NoDay, Until: NoDay, Type: EdgeAddress + EdgeType(f)})
	}
	b.members = append(b.members, Edge{From: id, To: sv.group, Since: NoDay, Until: NoDay, Type: EdgeAddress + EdgeType(f)})
}

func (b *builder) person(pid string) int32 {
	if id, ok := b.g.perIndex[pid]; ok {
		return id
	}
	id := b.addNode(NodePerson, pid)
	b.g.perIndex[pid] = id
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
		Kind:     b.code(&g.RecordKinds, "k"+string(r.Kind), string(r.Kind)),
		Severity: float32(r.Severity),
		Decided:  DayOf(r.Decided),
		Removed:  DayOf(r.Removed),
	})
	g.RecordIDs = append(g.RecordIDs, r.ID)
}

// finish sorts the edges into CSR order and indexes records by subject.
func (b *builder) finish() *Graph {
	g := b.g
	g.Edges = append(g.Edges, b.members...)
	b.members, b.shared, b.intern = nil, [3]map[string]*sharedValue{}, nil
	n := g.N()
	// Out-CSR: a stable counting sort by From keeps the scan order within a node.
	g.OutOff = make([]int64, n+1)
	for i := range g.Edges {
		g.OutOff[g.Edges[i].From+1]++
	}
	for v := 0; v < n; v++ {
		g.OutOff[v+1] += g.OutOff[v]
	}
	sorted := make([]Edge, len(g.Edges))
	next := make([]int64, n)
	copy(next, g.OutOff[:n])
	for i := range g.Edges {
		f := g.Edges[i].From
		sorted[next[f]] = g.Edges[i]
		next[f]++
	}
	g.Edges = sorted
	// In-CSR over edge indices.
	g.InOff = make([]int64, n+1)
	for i := range g.Edges {
		g.InOff[g.Edges[i].To+1]++
	}
	for v := 0; v < n; v++ {
		g.InOff[v+1] += g.InOff[v]
	}
	g.In = make([]int32, len(g.Edges))
	copy(next, g.InOff[:n])
	for i := range g.Edges {
		t := g.Edges[i].To
		g.In[next[t]] = int32(i)
		next[t]++
	}
	// Records by subject.
	g.RecOff = make([]int64, n+1)
	for i := range g.Records {
		g.RecOff[g.Records[i].Subject+1]++
	}
	for v := 0; v < n; v++ {
		g.RecOff[v+1] += g.RecOff[v]
	}
	g.RecIdx = make([]int32, len(g.Records))
	copy(next, g.RecOff[:n])
	for i := range g.Records {
		s := g.Records[i].Subject
		g.RecIdx[next[s]] = int32(i)
		next[s]++
	}
	return g
}
