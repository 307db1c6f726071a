package memory

import (
	"context"
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
// The cost is one sort of the node keys, with each node's pointer beside its
// key so that no map lookup follows, and one copy of each row straight into
// the page handed to fn (the page's slices are the only allocations; no
// per-row closures). A page holds rows of one phase, so pages may be
// shorter than pageSize where a chunk ends. Copying runs on its own
// goroutine, one or two chunks ahead of fn.
func (s *Store) Scan(ctx context.Context, pageSize int, fn func(*store.Batch) error) error {
	if pageSize < 1 {
		return fmt.Errorf("%w: page size %d", store.ErrInvalid, pageSize)
	}
	s.mu.RLock()
	if err := s.open(); err != nil {
		s.mu.RUnlock()
		return err
	}
	ents, pers, recs := collect(s.g.ent), collect(s.g.per), collect(s.g.rec)
	s.mu.RUnlock()
	// The three sorts are independent; run them side by side.
	var wg sync.WaitGroup
	wg.Go(func() { sortKeyed(ents) })
	wg.Go(func() { sortKeyed(pers) })
	sortKeyed(recs)
	wg.Wait()

	// A producer goroutine copies chunks under the read lock while this
	// goroutine hands the previous chunk's pages to fn, so copying and
	// consuming overlap on two cores. The producer never holds the lock
	// while it waits for the consumer.
	out := make(chan *store.Batch, 2)
	done := make(chan struct{})
	sc := scanner{s: s, ctx: ctx, size: pageSize, out: out, done: done}
	var perr error
	go func() {
		defer close(out)
		perr = sc.produce(ents, pers, recs)
	}()
	var err error
	for b := range out {
		if err == nil {
			err = sc.split(b, fn)
			if err != nil {
				close(done) // stop the producer; drain what it already sent
			}
		}
	}
	if err != nil {
		return err
	}
	return perr
}

// produce copies every phase's rows, chunk by chunk.
func (sc *scanner) produce(ents []keyed[models.Enterprise], pers []keyed[models.Person], recs []keyed[models.Record]) error {
	s := sc.s
	err := chunks(sc, ents, func(b *store.Batch, c []keyed[models.Enterprise]) {
		b.Enterprises = make([]models.Enterprise, len(c))
		for i := range c {
			b.Enterprises[i] = cloneEnterprise(c[i].v)
		}
	})
	if err == nil {
		err = chunks(sc, pers, func(b *store.Batch, c []keyed[models.Person]) {
			b.Persons = make([]models.Person, len(c))
			for i := range c {
				b.Persons[i] = clonePerson(c[i].v)
			}
		})
	}
	if err == nil {
		err = chunks(sc, recs, func(b *store.Batch, c []keyed[models.Record]) {
			b.Records = make([]models.Record, len(c))
			for i := range c {
				b.Records[i] = *c[i].v
			}
		})
	}
	if err == nil {
		err = chunks(sc, ents, func(b *store.Batch, c []keyed[models.Enterprise]) {
			sc.reserve(b)
			for i := range c {
				s.g.outRows(b, models.EnterpriseRef(c[i].key))
			}
			sc.relRows = [3]int{len(b.Shareholdings), len(b.Roles), len(b.Branches)}
		})
	}
	if err == nil {
		err = chunks(sc, pers, func(b *store.Batch, c []keyed[models.Person]) {
			sc.reserve(b)
			for i := range c {
				s.g.outRows(b, models.PersonRef(c[i].key))
			}
			sc.relRows = [3]int{len(b.Shareholdings), len(b.Roles), len(b.Branches)}
		})
	}
	return err
}

// reserve sizes a relationship chunk's slices a little above the last chunk's.
func (sc *scanner) reserve(b *store.Batch) {
	b.Shareholdings = make([]models.Shareholding, 0, sc.relRows[0]+sc.relRows[0]/8)
	b.Roles = make([]models.Role, 0, sc.relRows[1]+sc.relRows[1]/8)
	b.Branches = make([]models.Branch, 0, sc.relRows[2]+sc.relRows[2]/8)
}

// keyed is a node's key beside its value, for sorting without map lookups.
// A value replaced while a scan runs is read as it was (a consistent older
// version), which "may or may not be seen" allows.
type keyed[V any] struct {
	key string
	v   *V
}

func collect[V any](m map[string]*V) []keyed[V] {
	out := make([]keyed[V], 0, len(m))
	for k, v := range m {
		out = append(out, keyed[V]{k, v})
	}
	return out
}

func sortKeyed[V any](x []keyed[V]) {
	slices.SortFunc(x, func(a, b keyed[V]) int { return strings.Compare(a.key, b.key) })
}

// scanner hands pages to the consumer.
type scanner struct {
	s    *Store
	ctx  context.Context
	size int
	out  chan<- *store.Batch
	done <-chan struct{}
	// relRows is the number of relationship rows of the last chunk, to
	// size the next chunk's slices.
	relRows [3]int
}

// chunks copies the rows of size nodes at a time under the read lock, then
// hands them on in pages of at most size rows with the lock released.
func chunks[V any](sc *scanner, nodes []keyed[V], rows func(*store.Batch, []keyed[V])) error {
	for lo := 0; lo < len(nodes); lo += sc.size {
		b := &store.Batch{}
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
func (sc *scanner) split(b *store.Batch, fn func(*store.Batch) error) error {
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

// outRows appends the relationships starting at n to b; records are scanned
// as nodes, so HAS_RECORD gives none. The caller holds the read lock.
func (g *graph) outRows(b *store.Batch, n models.Ref) {
	for _, l := range g.adj[n] {
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
