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
// (enterprises, then persons). It holds the read lock only while it copies
// the rows of one chunk of pageSize nodes, never while fn runs, so fn may
// write to the store; rows written during a scan may or may not be seen.
//
// The cost is one pass over each node map and over the adjacency map (no
// lookups), sorts of what they collected by a 16-byte key prefix (the keys'
// bytes are read only to break ties), and one copy of each row straight
// into the page handed to fn (the page's slices are the only allocations;
// no per-row closures). A page holds rows of one phase, so pages may be
// shorter than pageSize where a chunk ends. Copying runs on its own
// goroutine, one or two chunks ahead of fn.
func (s *Store) Scan(ctx context.Context, pageSize int, fn func(*store.Batch) error) error {
	return s.scan(ctx, pageSize, false, fn)
}

// ScanReuse is Scan for a consumer that keeps nothing of a page once fn
// returns (the rows' strings may be kept; they are the store's): the pages'
// buffers are reused, so the scan allocates a few pages' worth of rows
// instead of a copy of the whole graph. The engine's projection uses it.
func (s *Store) ScanReuse(ctx context.Context, pageSize int, fn func(*store.Batch) error) error {
	return s.scan(ctx, pageSize, true, fn)
}

// scanBuffers is the number of chunk buffers a reusing scan cycles through:
// two queued, one being filled, one being consumed.
const scanBuffers = 4

func (s *Store) scan(ctx context.Context, pageSize int, reuse bool, fn func(*store.Batch) error) error {
	if pageSize < 1 {
		return fmt.Errorf("%w: page size %d", store.ErrInvalid, pageSize)
	}
	s.mu.RLock()
	if err := s.open(); err != nil {
		s.mu.RUnlock()
		return err
	}
	// The collections are independent reads under one read lock, and their
	// sorts need no lock: run each on both cores.
	var sl scanLists
	var wg sync.WaitGroup
	wg.Go(func() { sl.ents = collect(s.g.ent) })
	wg.Go(func() { sl.pers = collect(s.g.per) })
	wg.Go(func() { sl.entOut, sl.perOut = collectOut(s.g.adj, len(s.g.ent), len(s.g.per)) })
	sl.recs = collect(s.g.rec)
	wg.Wait()
	s.mu.RUnlock()
	// Each list is handed on as soon as it is sorted, so the first pages
	// go out while the later lists are still being sorted.
	for i := range sl.sorted {
		sl.sorted[i] = make(chan struct{})
	}
	sortThen := func(i int, sort func()) {
		sort()
		close(sl.sorted[i])
	}
	go func() {
		sortThen(0, func() { sortKeyed(sl.ents) })
		sortThen(2, func() { sortKeyed(sl.recs) })
		sortThen(3, func() { sortKeyed(sl.entOut) })
	}()
	go func() {
		sortThen(1, func() { sortKeyed(sl.pers) })
		sortThen(4, func() { sortKeyed(sl.perOut) })
	}()

	// A producer goroutine copies chunks under the read lock while this
	// goroutine hands the previous chunk's pages to fn, so copying and
	// consuming overlap on two cores. The producer never holds the lock
	// while it waits for the consumer.
	out := make(chan *store.Batch, scanBuffers-2)
	done := make(chan struct{})
	sc := scanner{s: s, ctx: ctx, size: pageSize, out: out, done: done}
	if reuse {
		sc.free = make(chan *store.Batch, scanBuffers)
		for range scanBuffers {
			sc.free <- &store.Batch{}
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
			err = sc.split(b, fn)
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

// scanLists are the sorted nodes of a scan and the sorted adjacency lists
// of the enterprises and persons that have any.
type scanLists struct {
	ents           []keyed[*models.Enterprise]
	pers           []keyed[*models.Person]
	recs           []keyed[*models.Record]
	entOut, perOut []keyed[[]link]
	// sorted[i] is closed once list i (in the order above) is sorted.
	sorted [5]chan struct{}
}

// produce copies every phase's rows, chunk by chunk.
func (sc *scanner) produce(sl *scanLists) error {
	<-sl.sorted[0]
	err := chunks(sc, sl.ents, func(b *store.Batch, c []keyed[*models.Enterprise]) {
		b.Enterprises = resize(b.Enterprises, len(c))
		for i := range c {
			b.Enterprises[i] = cloneEnterprise(c[i].v)
		}
	})
	if err == nil {
		<-sl.sorted[1]
		err = chunks(sc, sl.pers, func(b *store.Batch, c []keyed[*models.Person]) {
			b.Persons = resize(b.Persons, len(c))
			for i := range c {
				b.Persons[i] = clonePerson(c[i].v)
			}
		})
	}
	if err == nil {
		<-sl.sorted[2]
		err = chunks(sc, sl.recs, func(b *store.Batch, c []keyed[*models.Record]) {
			b.Records = resize(b.Records, len(c))
			for i := range c {
				b.Records[i] = *c[i].v
			}
		})
	}
	rels := func(b *store.Batch, c []keyed[[]link]) {
		sc.reserve(b)
		for i := range c {
			outRows(b, c[i].v)
		}
		sc.relRows = [3]int{len(b.Shareholdings), len(b.Roles), len(b.Branches)}
	}
	if err == nil {
		<-sl.sorted[3]
		err = chunks(sc, sl.entOut, rels)
	}
	if err == nil {
		<-sl.sorted[4]
		err = chunks(sc, sl.perOut, rels)
	}
	return err
}

// reserve sizes a relationship chunk's slices a little above the last
// chunk's (a reused buffer keeps its own if larger).
func (sc *scanner) reserve(b *store.Batch) {
	b.Shareholdings = resize(b.Shareholdings, sc.relRows[0]+sc.relRows[0]/8)[:0]
	b.Roles = resize(b.Roles, sc.relRows[1]+sc.relRows[1]/8)[:0]
	b.Branches = resize(b.Branches, sc.relRows[2]+sc.relRows[2]/8)[:0]
}

// resize returns x with length n, reusing its array when large enough.
func resize[T any](x []T, n int) []T {
	if cap(x) >= n {
		return x[:n]
	}
	return make([]T, n)
}

// keyed is a node's key beside its value, for sorting without map lookups;
// hi and lo are the key's first 16 bytes (big-endian, zero-padded), so that
// most comparisons read neither the key's bytes nor the value. A value
// replaced while a scan runs is read as it was (a consistent older
// version), which "may or may not be seen" allows.
type keyed[V any] struct {
	hi, lo uint64
	key    string
	v      V
}

func newKeyed[V any](key string, v V) keyed[V] {
	var p [16]byte
	copy(p[:], key)
	return keyed[V]{binary.BigEndian.Uint64(p[:8]), binary.BigEndian.Uint64(p[8:]), key, v}
}

func collect[V any](m map[string]V) []keyed[V] {
	out := make([]keyed[V], 0, len(m))
	for k, v := range m {
		out = append(out, newKeyed(k, v))
	}
	return out
}

// collectOut collects the adjacency lists of enterprises and persons in one
// pass over the adjacency map (nEnt and nPer bound their numbers). The slice headers are copied under the read
// lock; links appended later lie beyond them, and links are only ever
// removed (shifted) for records, which give no rows.
func collectOut(adj map[models.Ref][]link, nEnt, nPer int) (ents, pers []keyed[[]link]) {
	ents, pers = make([]keyed[[]link], 0, nEnt), make([]keyed[[]link], 0, nPer)
	for r, links := range adj {
		switch r.Kind {
		case models.KindEnterprise:
			ents = append(ents, newKeyed(r.Key, links))
		case models.KindPerson:
			pers = append(pers, newKeyed(r.Key, links))
		}
	}
	return ents, pers
}

// sortKeyed sorts by key: by the prefix, then (rarely) by the whole key.
func sortKeyed[V any](x []keyed[V]) {
	slices.SortFunc(x, func(a, b keyed[V]) int {
		if c := cmp.Compare(a.hi, b.hi); c != 0 {
			return c
		}
		if c := cmp.Compare(a.lo, b.lo); c != 0 {
			return c
		}
		return strings.Compare(a.key, b.key)
	})
}

// scanner hands pages to the consumer.
type scanner struct {
	s    *Store
	ctx  context.Context
	size int
	out  chan<- *store.Batch
	done <-chan struct{}
	// free holds the chunk buffers of a reusing scan (nil: a new one each time).
	free chan *store.Batch
	// relRows is the number of relationship rows of the last chunk, to
	// size the next chunk's slices.
	relRows [3]int
}

// chunks copies the rows of size nodes at a time under the read lock, then
// hands them on in pages of at most size rows with the lock released.
func chunks[V any](sc *scanner, nodes []keyed[V], rows func(*store.Batch, []keyed[V])) error {
	for lo := 0; lo < len(nodes); lo += sc.size {
		b := &store.Batch{}
		if sc.free != nil {
			select {
			case b = <-sc.free:
			case <-sc.done:
				return nil
			case <-sc.ctx.Done():
				return sc.ctx.Err()
			}
			*b = store.Batch{Enterprises: b.Enterprises[:0], Persons: b.Persons[:0], Records: b.Records[:0],
				Shareholdings: b.Shareholdings[:0], Roles: b.Roles[:0], Branches: b.Branches[:0]}
		}
		sc.s.mu.RLock()
		if err := sc.s.open(); err != nil {
			sc.s.mu.RUnlock()
			return err
		}
		rows(b, nodes[lo:min(lo+sc.size, len(nodes))])
		sc.s.mu.RUnlock()
		select {
		case sc.out <- b:
		case <-sc.done:
			return nil
		case <-sc.ctx.Done():
			return sc.ctx.Err()
		}
	}
	return nil
}

// split hands b on in pages of at most size rows (sub-slices of b's rows,
// capped so that a consumer appending to one cannot overwrite the next).
func (sc *scanner) split(chunk *store.Batch, fn func(*store.Batch) error) error {
	b := *chunk // cut from a copy: a reused chunk keeps its arrays whole
	for b.Len() > 0 {
		room := sc.size
		p := &store.Batch{}
		p.Enterprises, b.Enterprises = cut(b.Enterprises, &room)
		p.Persons, b.Persons = cut(b.Persons, &room)
		p.Records, b.Records = cut(b.Records, &room)
		p.Shareholdings, b.Shareholdings = cut(b.Shareholdings, &room)
		p.Roles, b.Roles = cut(b.Roles, &room)
		p.Branches, b.Branches = cut(b.Branches, &room)
		if err := sc.ctx.Err(); err != nil {
			return err
		}
		if err := fn(p); err != nil {
			return err
		}
	}
	return nil
}

// cut takes up to *room rows off the front of x.
func cut[T any](x []T, room *int) (head, rest []T) {
	k := min(len(x), *room)
	if k == 0 {
		return nil, x
	}
	*room -= k
	return x[:k:k], x[k:]
}

// outRows appends the relationships that start at a node (links, its
// adjacency list) to b; records are scanned as nodes, so HAS_RECORD gives
// none. The caller holds the read lock.
func outRows(b *store.Batch, links []link) {
	for i := range links {
		l := &links[i]
		if !l.out {
			continue
		}
		switch x := l.rel.(type) {
		case *models.Shareholding:
			b.Shareholdings = append(b.Shareholdings, *x)
		case *models.Role:
			b.Roles = append(b.Roles, *x)
		case *models.Branch:
			b.Branches = append(b.Branches, *x)
		}
	}
}
