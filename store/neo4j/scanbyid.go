package neo4j

// The projection scan's relationships read by internal id.
//
// Reading the relationships enterprise by enterprise (scan_projection_
// relationships) costs the server an expansion of each enterprise's
// relationship chain, a CASE on the type and a list per row inside a
// COLLECT subquery; the same rows read by ranges of relationship ids, one
// statement per type (scan_projection_*_by_id: a seek per id, the row's
// properties, nothing else), cost it about half as much CPU
// (docs/storage.md, "Relationships by internal id"). Those rows come in
// id order, not in the contract's order (enterprise by enterprise in key
// order), so the scan stages them, compactly, and puts them in that order
// itself: a counting sort by the rank of the enterprise (the person, for
// relations) in the node stream's order, then the same chunks of scanChunk
// enterprises, the same per-chunk model building (relChunk.models) and
// the same pages as the enterprise-by-enterprise statements give.
//
// Staging holds every relationship (stagedRel, 40 bytes, and 8 for its
// place in the sort) until the last is read, so the scan reads this way only when the process has no memory
// limit (the streams' read-ahead rule, aheadWaiting); under a limit it
// reads enterprise by enterprise as before. The relationships are read
// after the node streams are drained, so a relationship written while the
// nodes were read is seen, as with the streams' limited read-ahead.

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"riskgraph/models"
)

// scanIDChunk is how many relationship ids one by-id statement covers. A
// variable so that tests can split small graphs into several chunks.
var scanIDChunk int64 = 20000

// relsByID reports whether the projection scan reads relationships by
// internal id (no memory limit on the process) rather than enterprise by
// enterprise. A variable so that tests can compare both.
var relsByID = func() bool { return debug.SetMemoryLimit(-1) == math.MaxInt64 }

// byIDStatements are the by-id statements by row kind.
var byIDStatements = map[int64]string{
	relHolds:    qScanProjectionHoldingsByID,
	relLegalRep: qScanProjectionLegalRepsByID,
	relOfficer:  qScanProjectionOfficersByID,
	relBranch:   qScanProjectionBranchesByID,
	relRelated:  qScanProjectionRelationsByID,
}

// idChunk is one by-id statement's range: ids lo to hi of one row kind.
type idChunk struct {
	kind, lo, hi int64
}

// stagedRel is a relationship row held until every one is read: endpoints'
// internal ids, a shareholding's ratio, the dates as days since 1970
// (noDay when none) and a title (an appointment's; a relation's kind) as
// an index into the scan's titles.
type stagedRel struct {
	from, to     int64
	ratio        float64
	since, until int32
	title        uint32
	kind         uint8
}

// noDay marks a staged date that was absent.
const noDay = math.MinInt32

// dayOf is d as days since 1970-01-01, or noDay for the zero date.
func dayOf(d models.Date) int32 {
	if d.IsZero() {
		return noDay
	}
	return int32(math.Floor(float64(d.Unix()) / 86400))
}

// dateOfDay is dayOf's inverse: midnight UTC of the day, the value
// models.NewDate gives for it (TestDayOf).
func dateOfDay(n int32) models.Date {
	if n == noDay {
		return models.Date{}
	}
	return models.Date{Time: time.Unix(int64(n)*86400, 0).UTC()}
}

// ranks numbers the nodes of one kind in the order the node stream listed
// them: a slice indexed by internal id (dense, as in refsByID), a map
// beyond.
type ranks struct {
	dense  []int32 // rank+1; 0 is none
	sparse map[int64]int32
	n      int32
}

// add gives id the next rank.
func (r *ranks) add(id int64) {
	if id < 0 {
		return
	}
	r.n++
	if id >= 4*int64(r.n)+1<<20 {
		if r.sparse == nil {
			r.sparse = map[int64]int32{}
		}
		r.sparse[id] = r.n
		return
	}
	if id >= int64(len(r.dense)) {
		n := max(id+1, 2*int64(len(r.dense)))
		r.dense = slices.Grow(r.dense, int(n)-len(r.dense))[:n]
	}
	r.dense[id] = r.n
}

// of returns id's rank, -1 when the stream did not list it.
func (r *ranks) of(id int64) int32 {
	if id >= 0 && id < int64(len(r.dense)) {
		return r.dense[id] - 1
	}
	if v, ok := r.sparse[id]; ok {
		return v - 1
	}
	return -1
}

// titles interns the titles of staged rows.
type titles struct {
	mu    sync.Mutex
	index map[string]uint32
	names []string
}

func (t *titles) intern(rows []relRow, out []uint32) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.index == nil {
		t.index = map[string]uint32{}
	}
	for i := range rows {
		s := rows[i].title
		c, ok := t.index[s]
		if !ok {
			c = uint32(len(t.names))
			t.names = append(t.names, s)
			t.index[s] = c
		}
		out[i] = c
	}
}

// relSpans reads the id span of each row kind (scan_projection_rel_spans)
// and cuts it into chunks of scanIDChunk ids, kind by kind.
func (s *Store) relSpans(ctx context.Context) ([]idChunk, error) {
	var chunks []idChunk
	err := s.collect(ctx, "scan", qScanProjectionRelSpans, nil, func() { chunks = chunks[:0] }, func(r *driver.Record) error {
		kind, _ := r.Values[0].(int64)
		lo, ok1 := r.Values[1].(int64)
		hi, ok2 := r.Values[2].(int64)
		if !ok1 || !ok2 {
			return nil // no relationship of the type
		}
		for a := lo; a <= hi; a += scanIDChunk {
			chunks = append(chunks, idChunk{kind: kind, lo: a, hi: min(hi, a+scanIDChunk-1)})
		}
		return nil
	})
	return chunks, err
}

// readByID reads every chunk, on up to s.scanSessions goroutines (each
// with its own transactions), and returns each chunk's rows, staged, in
// the chunks' order.
func (s *Store) readByID(ctx context.Context, chunks []idChunk, tt *titles) ([][]stagedRel, error) {
	out := make([][]stagedRel, len(chunks))
	var (
		next  atomic.Int64
		wg    sync.WaitGroup
		errMu sync.Mutex
		first error
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := max(1, min(s.scanSessions, len(chunks)))
	for range workers {
		wg.Go(func() {
			var codes []uint32
			for {
				i := int(next.Add(1) - 1)
				if i >= len(chunks) || ctx.Err() != nil {
					return
				}
				c := chunks[i]
				name := byIDStatements[c.kind]
				var rows []any
				err := s.collect(ctx, "scan", name, map[string]any{"lo": c.lo, "hi": c.hi}, func() { rows = nil }, func(r *driver.Record) error {
					rows, _ = r.Values[0].([]any)
					return nil
				})
				var dec relChunk
				if err == nil {
					props := leanRel
					if c.kind == relRelated {
						props = relationRel
					}
					dec, err = relDecoder(props)(rows)
				}
				if err != nil {
					errMu.Lock()
					if first == nil {
						first = fmt.Errorf("%s [%d, %d]: %w", name, c.lo, c.hi, err)
					}
					errMu.Unlock()
					cancel()
					return
				}
				codes = slices.Grow(codes[:0], len(dec.rows))[:len(dec.rows)]
				tt.intern(dec.rows, codes)
				st := make([]stagedRel, len(dec.rows))
				for k := range dec.rows {
					r := &dec.rows[k]
					st[k] = stagedRel{from: r.from, to: r.to, ratio: r.ratio, since: dayOf(r.since), until: dayOf(r.until),
						title: codes[k], kind: uint8(r.kind)}
				}
				out[i] = st
			}
		})
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}
	return out, ctx.Err()
}

// byRank is the staged rows of one group (the enterprises' relationships
// or the persons' relations) in the order of the ranks of the node each
// belongs to, stably (so in chunk order within a node); rows whose node
// has no rank come last, by that node's id.
type byRank struct {
	staged [][]stagedRel
	// order lists the rows as chunk<<32 | index; off[k] is where the rows
	// of rank k start (off[n] those without a rank).
	order []uint64
	off   []int
}

// sortByRank orders the staged rows of the kinds for which group returns
// true by the rank of the node owner returns for each.
func sortByRank(staged [][]stagedRel, rk *ranks, want func(kind uint8) bool, owner func(*stagedRel) int64) *byRank {
	n := int(rk.n)
	b := &byRank{staged: staged, off: make([]int, n+2)}
	var unranked []uint64
	for c, rows := range staged {
		for i := range rows {
			if !want(rows[i].kind) {
				continue
			}
			if k := rk.of(owner(&rows[i])); k >= 0 {
				b.off[k+1]++
			} else {
				unranked = append(unranked, uint64(c)<<32|uint64(i))
			}
		}
	}
	for k := 0; k < n; k++ {
		b.off[k+1] += b.off[k]
	}
	b.order = make([]uint64, b.off[n], b.off[n]+len(unranked))
	next := slices.Clone(b.off[:n])
	for c, rows := range staged {
		for i := range rows {
			if !want(rows[i].kind) {
				continue
			}
			if k := rk.of(owner(&rows[i])); k >= 0 {
				b.order[next[k]] = uint64(c)<<32 | uint64(i)
				next[k]++
			}
		}
	}
	slices.SortStableFunc(unranked, func(x, y uint64) int {
		return cmp.Compare(owner(b.at(x)), owner(b.at(y)))
	})
	b.order = append(b.order, unranked...)
	b.off[n+1] = len(b.order)
	return b
}

// at returns the staged row an order entry names.
func (b *byRank) at(x uint64) *stagedRel { return &b.staged[x>>32][uint32(x)] }

// chunk returns, as relationship rows, the rows of ranks [lo, hi) (hi may
// be past the last rank: then the rows without a rank too), into dst.
func (b *byRank) chunk(lo, hi int, tt *titles, dst []relRow) []relRow {
	n := len(b.off) - 2
	dst = dst[:0]
	for _, x := range b.order[b.off[min(lo, n+1)]:b.off[min(hi, n+1)]] {
		st := b.at(x)
		dst = append(dst, relRow{kind: int64(st.kind), from: st.from, to: st.to, ratio: st.ratio,
			title: tt.names[st.title], since: dateOfDay(st.since), until: dateOfDay(st.until)})
	}
	return dst
}

// relationshipsByID reads the projection's relationships and relations by
// internal id and hands them to out in the contract's order: the
// enterprises' in chunks of scanChunk enterprises in key order (ents, the
// enterprise stream's ranks), then the persons' relations in chunks of
// scanChunk persons in pid order (pers).
func (s *Store) relationshipsByID(ctx context.Context, ids *refsByID, nums *numbers, ents, pers *ranks, out *pageFiller) error {
	chunks, err := s.relSpans(ctx)
	if err != nil {
		return err
	}
	var tt titles
	staged, err := s.readByID(ctx, chunks, &tt)
	if err != nil {
		return err
	}
	isRel := func(k uint8) bool { return int64(k) != relRelated }
	owner := func(r *stagedRel) int64 {
		if int64(r.kind) == relBranch {
			return r.from // a branch link belongs to the branch
		}
		return r.to
	}
	var (
		rows []relRow
		rs   relModels
	)
	emit := func(b *byRank, n int, put func(relChunk) error) error {
		for lo := 0; ; lo += scanChunk {
			hi, last := lo+scanChunk, lo+scanChunk >= n
			if last {
				hi = n + 1 // and the rows without a rank
			}
			rows = b.chunk(lo, hi, &tt, rows)
			if len(rows) > 0 {
				if err := s.resolve(ctx, ids, nil, rows); err != nil {
					return err
				}
				if err := put(relChunk{rows: rows}); err != nil {
					return err
				}
			}
			if last {
				return nil
			}
		}
	}
	err = emit(sortByRank(staged, ents, isRel, owner), int(ents.n), func(c relChunk) error {
		c.models(ids, nums, &rs)
		if err := fill(out, rs.sh, rs.shEnds, pageShareholdings); err != nil {
			return err
		}
		if err := fill(out, rs.ro, rs.roEnds, pageRoles); err != nil {
			return err
		}
		return fill(out, rs.br, rs.brEnds, pageBranches)
	})
	if err != nil {
		return err
	}
	isRelation := func(k uint8) bool { return int64(k) == relRelated }
	from := func(r *stagedRel) int64 { return r.from }
	return emit(sortByRank(staged, pers, isRelation, from), int(pers.n), func(c relChunk) error {
		c.relations(ids, nums, &rs)
		return fill(out, rs.rel, rs.relEnds, pageRelations)
	})
}
