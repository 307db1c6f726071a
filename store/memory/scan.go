package memory

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"sync"

	"riskgraph/models"
	"riskgraph/store"
)

// Scan streams the graph in pages: enterprises, persons and records in key
// order, then relationships grouped by their start node in key order
// (enterprises, then persons). Every page but the last holds pageSize
// rows; a page may hold rows of two phases (the last persons and the first
// records, say), each in its own slice. It holds the read lock only while
// it copies the rows of one page, never while fn runs, so fn may write to
// the store; rows written during a scan may or may not be seen.
//
// The cost is one pass over the node and record slices, sorts of what they
// collected (an id and a 16-byte key prefix; the keys' bytes are read only
// to break ties), and one copy of each row straight into the page handed
// to fn (the pages' slices are the only allocations; no per-row closures).
// The relationship phase walks the same sorted nodes' adjacency lists.
// Copying runs on its own goroutine, one or two pages ahead of fn.
func (s *Store) Scan(ctx context.Context, pageSize int, fn func(*store.Batch) error) error {
	return s.scan(ctx, pageSize, scanCopy, func(p *store.ProjectionPage) error { return fn(&p.Batch) })
}

// ScanProjection implements store.ProjectionScanner: Scan's rows in
// recycled page buffers (a consumer keeps nothing of a page once fn
// returns but the rows' strings, which are the store's), so the scan
// allocates a few pages' worth of rows instead of a copy of the graph.
// Its relationship pages end between two start nodes' rows. Beside the
// rows go node numbers that are the store's own node ids
// (dense: enterprises and persons numbered 0, 1, … in order of creation;
// records are not numbered). A node created while the scan runs has an id
// too, so a relationship row may number an endpoint that the node phase
// did not give. The rows are full rows; their Risk is the store's own
// value, shared: read it, never change it.
func (s *Store) ScanProjection(ctx context.Context, pageSize int, fn func(*store.ProjectionPage) error) error {
	return s.scan(ctx, pageSize, scanProject, fn)
}

// scanMode says what a scan hands out.
type scanMode uint8

const (
	scanCopy    scanMode = iota // new pages, rows with cloned results
	scanProject                 // recycled pages with node numbers, results shared
)

// scanBuffers is the number of page buffers a reusing scan cycles through:
// two queued, one being filled, one being consumed.
const scanBuffers = 4

func (s *Store) scan(ctx context.Context, pageSize int, mode scanMode, fn func(*store.ProjectionPage) error) error {
	if pageSize < 1 {
		return fmt.Errorf("%w: page size %d", store.ErrInvalid, pageSize)
	}
	s.mu.RLock()
	if err := s.open(); err != nil {
		s.mu.RUnlock()
		return err
	}
	// The order of the last scan covers the nodes and records it saw; only
	// those created since are collected (one pass over each new part) and
	// sorted here, then merged into it. The slice headers taken here stay
	// valid after the lock is released: keys are never written again once
	// a node or record is created, and appends never move what the old
	// header sees.
	var sl scanLists
	sl.nodes, sl.recs, sl.text = s.g.nodes, s.g.recs, s.g.text.blocks
	last := s.order.Load()
	if last == nil {
		last = &scanOrder{}
	}
	var wg sync.WaitGroup
	var newEnts, newPers []keyed
	nEnt := s.g.nEnt - len(last.ents) // new enterprises
	wg.Go(func() { newEnts, newPers = collectNodes(sl.nodes, sl.text, last.nodes, nEnt) })
	newRecs := collectRecords(sl.recs, last.recs)
	sizes := store.ScanSizes{Enterprises: s.g.nEnt, Persons: len(s.g.nodes) - s.g.nEnt,
		Relationships: len(s.g.shares) + len(s.g.roles) + len(s.g.branches) + len(s.g.relations)}
	wg.Wait()
	s.mu.RUnlock()
	// Each list is handed on as soon as it is ready, so the first pages
	// go out while the later lists are still being sorted.
	for i := range sl.sorted {
		sl.sorted[i] = make(chan struct{})
	}
	nodeKey := func(id int32) string { return textOf(sl.text, sl.nodes[id].key) }
	recKey := func(i int32) string { return sl.recs[i].id }
	next := scanOrder{nodes: len(sl.nodes), recs: len(sl.recs)}
	go func() {
		sl.ents = merge(last.ents, newEnts, nodeKey)
		close(sl.sorted[0])
		sl.recIdx = merge(last.recIdx, newRecs, recKey)
		close(sl.sorted[2])
	}()
	go func() {
		sl.pers = merge(last.pers, newPers, nodeKey)
		close(sl.sorted[1])
	}()
	defer func() {
		// Keep this scan's order for the next one (whichever of two
		// concurrent scans stores last, its order is a valid start).
		for _, c := range sl.sorted {
			<-c
		}
		if next.nodes != last.nodes || next.recs != last.recs {
			next.ents, next.pers, next.recIdx = sl.ents, sl.pers, sl.recIdx
			s.order.Store(&next)
		}
	}()

	// A producer goroutine copies pages under the read lock while this
	// goroutine hands the previous pages to fn, so copying and consuming
	// overlap on two cores. The producer never holds the lock while it
	// waits for the consumer.
	out := make(chan *store.ProjectionPage, scanBuffers-2)
	done := make(chan struct{})
	sc := scanner{s: s, ctx: ctx, size: pageSize, mode: mode, out: out, done: done, sizes: sizes}
	if mode != scanCopy {
		sc.free = make(chan *store.ProjectionPage, scanBuffers)
		for range scanBuffers {
			sc.free <- &store.ProjectionPage{}
		}
	}
	var perr error
	go func() {
		defer close(out)
		perr = sc.produce(&sl)
	}()
	var err error
	for b := range out {
		if err == nil {
			if err = ctx.Err(); err == nil {
				err = fn(b)
			}
			if err != nil {
				close(done) // stop the producer; drain what it already sent
			}
		}
		if sc.free != nil {
			sc.free <- b // never blocks: the pool holds every buffer
		}
	}
	if err != nil {
		return err
	}
	return perr
}

// scanOrder is the key order of the enterprises, persons and records
// a scan saw: the first nodes node ids and recs record indexes, sorted.
// It is never changed once stored (Store.order); the next scan merges
// what was created since into a new one.
type scanOrder struct {
	nodes, recs        int
	ents, pers, recIdx []int32
}

// scanLists are the node ids and record indexes of a scan in key order.
type scanLists struct {
	nodes      []node   // the graph's nodes when the scan started (for keys)
	recs       []recRow // and its records (for ids)
	text       [][]byte // and its text blocks (for the nodes' keys)
	ents, pers []int32
	recIdx     []int32
	// sorted[i] is closed once list i (ents, pers, recIdx) is ready.
	sorted [3]chan struct{}
}

// keyed is a node id (or a record index) beside the first 16 bytes of its
// key (hi, lo: big-endian, zero-padded), so that most comparisons of a
// sort read neither the key's bytes nor the node.
type keyed struct {
	hi, lo uint64
	id     int32
}

func newKeyed(key string, id int32) keyed {
	var p [16]byte
	copy(p[:], key)
	return keyed{binary.BigEndian.Uint64(p[:8]), binary.BigEndian.Uint64(p[8:]), id}
}

// collectNodes returns the enterprises (nEnt of them) and the persons
// among nodes[from:].
func collectNodes(nodes []node, text [][]byte, from, nEnt int) (ents, pers []keyed) {
	ents, pers = make([]keyed, 0, nEnt), make([]keyed, 0, len(nodes)-from-nEnt)
	for i := from; i < len(nodes); i++ {
		n := &nodes[i]
		if n.isEnterprise() {
			ents = append(ents, newKeyed(textOf(text, n.key), int32(i)))
		} else {
			pers = append(pers, newKeyed(textOf(text, n.key), int32(i)))
		}
	}
	return ents, pers
}

// collectRecords returns the records recs[from:].
func collectRecords(recs []recRow, from int) []keyed {
	out := make([]keyed, 0, len(recs)-from)
	for i := from; i < len(recs); i++ {
		out = append(out, newKeyed(recs[i].id, int32(i)))
	}
	return out
}

// merge sorts add by key and merges it into old (sorted, disjoint from
// add); old itself is returned when add is empty, and never changed.
func merge(old []int32, add []keyed, key func(int32) string) []int32 {
	if len(add) == 0 {
		return old
	}
	slices.SortFunc(add, func(a, b keyed) int {
		if c := cmp.Compare(a.hi, b.hi); c != 0 {
			return c
		}
		if c := cmp.Compare(a.lo, b.lo); c != 0 {
			return c
		}
		return strings.Compare(key(a.id), key(b.id))
	})
	out := make([]int32, 0, len(old)+len(add))
	for _, a := range add {
		// Binary search for a's place among the rest of old: k·log n key
		// comparisons, and old is copied in runs.
		k := key(a.id)
		i, _ := slices.BinarySearchFunc(old, k, func(id int32, k string) int { return strings.Compare(key(id), k) })
		out = append(out, old[:i]...)
		out = append(out, a.id)
		old = old[i:]
	}
	return append(out, old...)
}

// scanner fills pages and hands them to the consumer.
type scanner struct {
	s    *Store
	ctx  context.Context
	size int
	mode scanMode
	out  chan<- *store.ProjectionPage
	done <-chan struct{}
	// free holds the page buffers of a reusing scan (nil: a new one each time).
	free chan *store.ProjectionPage
	// b is the page being filled (nil: none yet).
	b *store.ProjectionPage
	// sizes are the graph's when the scan started, given on every page.
	sizes store.ScanSizes
	// lastNode counts the page's shareholdings, roles, branches,
	// relations and controls before the rows of the last node added to it.
	lastNode [5]int
}

// produce copies every phase's rows into pages.
func (sc *scanner) produce(sl *scanLists) error {
	g := &sc.s.g
	proj := sc.mode == scanProject
	risk := cloneRisk
	if proj {
		risk = func(r *models.Risk) *models.Risk { return r }
	}
	<-sl.sorted[0]
	err := sc.nodes(sl.ents, func(b *store.ProjectionPage, c []int32) {
		b.Enterprises = slices.Grow(b.Enterprises, len(c))
		for i := range c {
			e := g.enterprise(c[i])
			e.Risk = risk(e.Risk)
			b.Enterprises = append(b.Enterprises, e)
			if proj {
				b.EnterpriseNums = append(b.EnterpriseNums, c[i])
			}
		}
	})
	if err == nil {
		<-sl.sorted[1]
		err = sc.nodes(sl.pers, func(b *store.ProjectionPage, c []int32) {
			b.Persons = slices.Grow(b.Persons, len(c))
			for i := range c {
				p := g.person(c[i])
				p.Risk = risk(p.Risk)
				b.Persons = append(b.Persons, p)
				if proj {
					b.PersonNums = append(b.PersonNums, c[i])
				}
			}
		})
	}
	if err == nil {
		<-sl.sorted[2]
		err = sc.nodes(sl.recIdx, func(b *store.ProjectionPage, c []int32) {
			b.Records = slices.Grow(b.Records, len(c))
			for i := range c {
				b.Records = append(b.Records, g.record(c[i]))
				if proj {
					b.RecordSubjects = append(b.RecordSubjects, g.recs[c[i]].subject)
				}
			}
		})
	}
	if err == nil {
		err = sc.rels(sl.ents)
	}
	if err == nil {
		err = sc.rels(sl.pers)
	}
	if err == nil && sc.b != nil && sc.b.Len() > 0 {
		err = sc.send(sc.b)
	}
	return err
}

// nodes fills pages with one row per entry of list, copying each page's
// rows under the read lock.
func (sc *scanner) nodes(list []int32, rows func(*store.ProjectionPage, []int32)) error {
	for pos := 0; pos < len(list); {
		if err := sc.buffer(); err != nil || sc.b == nil {
			return err
		}
		k := min(sc.size-sc.b.Len(), len(list)-pos)
		if err := sc.locked(func() { rows(sc.b, list[pos:pos+k]) }); err != nil {
			return err
		}
		pos += k
		if err := sc.sendFull(); err != nil {
			return err
		}
	}
	return nil
}

// rels fills pages with the relationships that start at the nodes of
// list, each node's rows copied under one read lock. Pages end between two
// nodes' rows (sendFull carries the last node's rows over), so every
// relationship of a page starts at a node no earlier in the scan than
// those of the page before; only a node with more rows than a page is
// split.
func (sc *scanner) rels(list []int32) error {
	for pos := 0; pos < len(list); {
		if err := sc.buffer(); err != nil || sc.b == nil {
			return err
		}
		err := sc.locked(func() {
			// Bounded, so that nodes without relationships do not keep the lock.
			for visited := 0; pos < len(list) && sc.b.Len() < sc.size && visited < max(sc.size, 256); visited++ {
				sc.lastNode = [5]int{len(sc.b.Shareholdings), len(sc.b.Roles), len(sc.b.Branches), len(sc.b.Relations), len(sc.b.Controls)}
				sc.outRows(sc.b, list[pos])
				pos++
			}
		})
		if err != nil {
			return err
		}
		if err := sc.sendFull(); err != nil {
			return err
		}
	}
	return nil
}

// locked runs f under the read lock, unless the store is closed.
func (sc *scanner) locked(f func()) error {
	sc.s.mu.RLock()
	defer sc.s.mu.RUnlock()
	if err := sc.s.open(); err != nil {
		return err
	}
	f()
	return nil
}

// buffer makes sure sc.b is a page to fill; it leaves sc.b nil when the
// consumer has stopped.
func (sc *scanner) buffer() error {
	if sc.b != nil {
		return nil
	}
	b, err := sc.get()
	sc.b = b
	return err
}

// get returns an empty page: a recycled one for a reusing scan (waiting
// for the consumer to return one), a new one otherwise; nil once the
// consumer has stopped.
func (sc *scanner) get() (*store.ProjectionPage, error) {
	if sc.free == nil {
		return &store.ProjectionPage{Sizes: sc.sizes, StringsKept: true}, nil
	}
	var b *store.ProjectionPage
	select {
	case b = <-sc.free:
	case <-sc.done:
		return nil, nil
	case <-sc.ctx.Done():
		return nil, sc.ctx.Err()
	}
	*b = store.ProjectionPage{
		Batch: store.Batch{Enterprises: b.Enterprises[:0], Persons: b.Persons[:0], Records: b.Records[:0],
			Shareholdings: b.Shareholdings[:0], Roles: b.Roles[:0], Branches: b.Branches[:0],
			Relations: b.Relations[:0], Controls: b.Controls[:0]},
		EnterpriseNums: b.EnterpriseNums[:0], PersonNums: b.PersonNums[:0], RecordSubjects: b.RecordSubjects[:0],
		ShareholdingEnds: b.ShareholdingEnds[:0], RoleEnds: b.RoleEnds[:0], BranchEnds: b.BranchEnds[:0],
		RelationEnds: b.RelationEnds[:0],
		Sizes:        sc.sizes,
		StringsKept:  true, // keys, pids, ids and texts are the store's (text.go)
	}
	return b, nil
}

// sendFull hands sc.b on while it holds a full page; relationship rows
// beyond the page size (the tails of its relationship slices) move to the
// front of the next page, which keeps each type's rows in order.
func (sc *scanner) sendFull() error {
	for sc.b != nil && sc.b.Len() >= sc.size {
		b, over := sc.b, sc.b.Len()-sc.size
		var next *store.ProjectionPage
		if over > 0 {
			var err error
			if next, err = sc.get(); err != nil || next == nil {
				sc.b = nil
				return err
			}
			var noEnds []store.Ends
			if m := sc.lastNode; m[0]+m[1]+m[2]+m[3]+m[4] > 0 {
				// Carry the last node's rows over whole, when the page holds
				// rows of other nodes.
				moveTail(&b.Controls, &next.Controls, &noEnds, &noEnds, len(b.Controls)-m[4])
				moveTail(&b.Relations, &next.Relations, &b.RelationEnds, &next.RelationEnds, len(b.Relations)-m[3])
				moveTail(&b.Branches, &next.Branches, &b.BranchEnds, &next.BranchEnds, len(b.Branches)-m[2])
				moveTail(&b.Roles, &next.Roles, &b.RoleEnds, &next.RoleEnds, len(b.Roles)-m[1])
				moveTail(&b.Shareholdings, &next.Shareholdings, &b.ShareholdingEnds, &next.ShareholdingEnds, len(b.Shareholdings)-m[0])
				over = 0
			}
			sc.lastNode = [5]int{}
			over = moveTail(&b.Controls, &next.Controls, &noEnds, &noEnds, over)
			over = moveTail(&b.Relations, &next.Relations, &b.RelationEnds, &next.RelationEnds, over)
			over = moveTail(&b.Branches, &next.Branches, &b.BranchEnds, &next.BranchEnds, over)
			over = moveTail(&b.Roles, &next.Roles, &b.RoleEnds, &next.RoleEnds, over)
			moveTail(&b.Shareholdings, &next.Shareholdings, &b.ShareholdingEnds, &next.ShareholdingEnds, over)
		}
		sc.b = next
		if err := sc.send(b); err != nil {
			return err
		}
	}
	return nil
}

// moveTail moves up to k rows (and their numbers, if any) off the end of
// *src to the end of *dst, and returns how many of the k are left to move.
func moveTail[T any](src, dst *[]T, srcEnds, dstEnds *[]store.Ends, k int) int {
	n := min(k, len(*src))
	*dst = append(*dst, (*src)[len(*src)-n:]...)
	*src = (*src)[:len(*src)-n]
	if len(*srcEnds) > 0 {
		*dstEnds = append(*dstEnds, (*srcEnds)[len(*srcEnds)-n:]...)
		*srcEnds = (*srcEnds)[:len(*srcEnds)-n]
	}
	return k - n
}

// send hands a page to the consumer; it is never called with the lock held.
func (sc *scanner) send(b *store.ProjectionPage) error {
	select {
	case sc.out <- b:
		return nil
	case <-sc.done:
		return nil
	case <-sc.ctx.Done():
		return sc.ctx.Err()
	}
}

// outRows appends the relationships that start at node id to b; records
// are scanned as nodes, so HAS_RECORD gives none. The rows are built here
// rather than by graph.shareholding and graph.role, so that the start
// node is looked up once, not once per row. The caller holds the read lock.
func (sc *scanner) outRows(b *store.ProjectionPage, id nodeID) {
	g := &sc.s.g
	proj := sc.mode == scanProject
	links := g.adj.list(id)
	var from models.Ref
	for i := range links {
		l := links[i]
		if !l.out || l.typ == relRecord {
			continue
		}
		if from.Key == "" {
			from = g.ref(id)
		}
		to := g.nodeKey(l.other)
		switch l.typ {
		case relShares:
			r := &g.shares[l.rel]
			b.Shareholdings = append(b.Shareholdings, g.withRights(l.rel, models.Shareholding{Holder: from, Enterprise: to,
				Ratio: r.ratio, Amount: r.amount, Since: g.dates.get(r.since), MatchScore: g.score(relShares, l.rel)}))
			if proj {
				b.ShareholdingEnds = append(b.ShareholdingEnds, store.Ends{From: id, To: l.other})
			}
		case relLegalRep, relOfficer:
			r := &g.roles[l.rel]
			kind := models.RoleLegalRep
			if r.officer {
				kind = models.RoleOfficer
			}
			b.Roles = append(b.Roles, models.Role{Person: from.Key, Enterprise: to, Kind: kind,
				Title: g.strs.str(r.title), TitleText: g.strs.str(r.text), Since: g.dates.get(r.since), Until: g.dates.get(r.until),
				DayToDay: r.officer && g.dayToDay[l.rel], MatchScore: g.score(l.typ, l.rel)})
			if proj {
				b.RoleEnds = append(b.RoleEnds, store.Ends{From: id, To: l.other})
			}
		case relBranch:
			b.Branches = append(b.Branches, models.Branch{Branch: from.Key, Parent: to, MatchScore: g.score(relBranch, l.rel)})
			if proj {
				b.BranchEnds = append(b.BranchEnds, store.Ends{From: id, To: l.other})
			}
		case relRelated:
			r := &g.relations[l.rel]
			b.Relations = append(b.Relations, models.Relation{A: from.Key, B: to,
				Kind: models.RelationKind(g.strs.str(r.kind)), Since: g.dates.get(r.since)})
			if proj {
				b.RelationEnds = append(b.RelationEnds, store.Ends{From: id, To: l.other})
			}
		case relControls:
			b.Controls = append(b.Controls, g.control(l.rel))
		}
	}
}
