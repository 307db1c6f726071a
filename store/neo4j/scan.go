package neo4j

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"riskgraph/models"
	"riskgraph/store"
)

// scanChunk is how many nodes one scan statement reads: each statement
// returns a single record whose first value lists the rows, because the
// driver's cost per record, not per value, dominates a scan of small rows.
const scanChunk = 5000

// scanAhead is how many decoded chunks each stream may hold before its
// consumer takes them.
const scanAhead = 4

// Scan streams the graph in pages of at most pageSize rows: enterprises,
// persons and records in key order, then the relationships, enterprise by
// enterprise in key order.
//
// Four streams (enterprises, persons, records, relationships) read at the
// same time, each in its own goroutine, chunk by chunk with keyset
// pagination (key > last key, ordered by the unique index). Each chunk is
// one statement in its own short read transaction (retried by the driver)
// and comes back as one record listing scanChunk rows. Rows name nodes by
// their internal id; the node streams map ids to keys, so relationship rows
// carry two integers and the relationship's properties instead of the keys.
// A stream reads at most scanAhead chunks ahead of fn, which runs outside
// any transaction, in the caller's goroutine. A scan is not a snapshot:
// writes made while it runs may or may not be seen.
func (s *Store) Scan(ctx context.Context, pageSize int, fn func(*store.Batch) error) error {
	if pageSize < 1 {
		return fmt.Errorf("%w: page size %d", store.ErrInvalid, pageSize)
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait() // runs after cancel: no stream outlives Scan
	defer cancel()

	ents := startStream(ctx, &wg, s, qScanEnterprises, decodeNodes)
	pers := startStream(ctx, &wg, s, qScanPersons, decodeNodes)
	recs := startStream(ctx, &wg, s, qScanRecords, decodeNodes)
	rels := startStream(ctx, &wg, s, qScanRelationships, decodeRels)

	var (
		ids refsByID
		out = pageFiller{ctx: ctx, size: pageSize, fn: fn, page: &store.Batch{}}
	)
	err := drain(ctx, ents, func(rows []nodeRow) error {
		es := make([]models.Enterprise, len(rows))
		for i := range rows {
			es[i] = enterpriseOf(rows[i].props)
			ids.put(rows[i].id, models.KindEnterprise, es[i].Key)
		}
		return fill(&out, es, func(b *store.Batch) *[]models.Enterprise { return &b.Enterprises })
	})
	if err != nil {
		return err
	}
	err = drain(ctx, pers, func(rows []nodeRow) error {
		ps := make([]models.Person, len(rows))
		for i := range rows {
			ps[i] = personOf(rows[i].props)
			ids.put(rows[i].id, models.KindPerson, ps[i].PID)
		}
		return fill(&out, ps, func(b *store.Batch) *[]models.Person { return &b.Persons })
	})
	if err != nil {
		return err
	}
	err = drain(ctx, recs, func(rows []nodeRow) error {
		if err := s.resolve(ctx, &ids, rows, nil); err != nil {
			return err
		}
		rs := make([]models.Record, len(rows))
		for i := range rows {
			subject, _ := ids.get(rows[i].other)
			rs[i] = recordOf(rows[i].props, subject)
		}
		return fill(&out, rs, func(b *store.Batch) *[]models.Record { return &b.Records })
	})
	if err != nil {
		return err
	}
	err = drain(ctx, rels, func(c relChunk) error {
		if err := s.resolve(ctx, &ids, nil, c.rows); err != nil {
			return err
		}
		sh, ro, br := c.models(&ids)
		if err := fill(&out, sh, func(b *store.Batch) *[]models.Shareholding { return &b.Shareholdings }); err != nil {
			return err
		}
		if err := fill(&out, ro, func(b *store.Batch) *[]models.Role { return &b.Roles }); err != nil {
			return err
		}
		return fill(&out, br, func(b *store.Batch) *[]models.Branch { return &b.Branches })
	})
	if err != nil {
		return err
	}
	return out.flush()
}

// chunkOf is one decoded chunk of a stream, or the error that ended it.
type chunkOf[T any] struct {
	rows T
	err  error
}

// startStream reads statement name chunk by chunk and sends each chunk,
// decoded, on the returned channel, which is closed at the end. The
// statement returns one record: the rows, how many keys the chunk covers
// (fewer than scanChunk on the last chunk) and the last key. One goroutine
// reads, another decodes, so the server prepares the next chunk while the
// client decodes this one. The stream stops, without sending, when ctx ends.
func startStream[T any](ctx context.Context, wg *sync.WaitGroup, s *Store, name string, decode func([]any) (T, error)) <-chan chunkOf[T] {
	raw := make(chan chunkOf[[]any], 1)
	ch := make(chan chunkOf[T], scanAhead)
	wg.Add(2)
	go func() {
		defer wg.Done()
		defer close(raw)
		after := ""
		for {
			var (
				rows []any
				n    int64
				last string
			)
			err := s.collect(ctx, "scan", name, map[string]any{"after": after, "limit": scanChunk},
				func() { rows, n, last = nil, 0, "" },
				func(r *driver.Record) error {
					if len(r.Values) != 3 {
						return fmt.Errorf("%s: %d values, want 3", name, len(r.Values))
					}
					rows, _ = r.Values[0].([]any)
					n, _ = r.Values[1].(int64)
					last, _ = r.Values[2].(string)
					return nil
				})
			if err == nil && n > 0 && last == after {
				// Keyset pagination would not advance.
				err = fmt.Errorf("%s: a chunk after %q ends at the same key", name, after)
			}
			after = last
			select {
			case raw <- chunkOf[[]any]{rows: rows, err: err}:
			case <-ctx.Done():
				return
			}
			if err != nil || n < scanChunk {
				return
			}
		}
	}()
	go func() {
		defer wg.Done()
		defer close(ch)
		for c := range raw {
			d := chunkOf[T]{err: c.err}
			if d.err == nil {
				d.rows, d.err = decode(c.rows)
			}
			select {
			case ch <- d:
			case <-ctx.Done():
				return
			}
			if d.err != nil {
				return
			}
		}
	}()
	return ch
}

// drain hands every chunk of ch to put, in order, and returns the first
// error: a stream's, put's or the context's.
func drain[T any](ctx context.Context, ch <-chan chunkOf[T], put func(T) error) error {
	for c := range ch {
		if c.err != nil {
			return c.err
		}
		if err := put(c.rows); err != nil {
			return err
		}
	}
	// A stream stops without an error when ctx ends.
	return ctx.Err()
}

// pageFiller cuts rows into pages of exactly size rows (the last may be
// shorter) and hands each to fn.
type pageFiller struct {
	ctx  context.Context
	size int
	fn   func(*store.Batch) error
	page *store.Batch
}

// fill appends rows to the pages; field selects the page's slice for them.
func fill[T any](p *pageFiller, rows []T, field func(*store.Batch) *[]T) error {
	for len(rows) > 0 {
		k := min(p.size-p.page.Len(), len(rows))
		dst := field(p.page)
		if *dst == nil {
			*dst = make([]T, 0, min(p.size, len(rows)))
		}
		*dst = append(*dst, rows[:k]...)
		rows = rows[k:]
		if p.page.Len() >= p.size {
			if err := p.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// flush hands on the current page, if it holds any rows.
func (p *pageFiller) flush() error {
	if p.page.Len() == 0 {
		return nil
	}
	if err := p.ctx.Err(); err != nil {
		return err
	}
	page := p.page
	p.page = &store.Batch{}
	return p.fn(page)
}

// nodeRow is one row of scan_enterprises, scan_persons or scan_records: the
// node's internal id, its properties, and for a record its subject's id
// (-1 when it has none).
type nodeRow struct {
	id    int64
	props map[string]any
	other int64
}

// decodeNodes decodes a node chunk: rows [id, properties] or, for records,
// [id, properties, subject id].
func decodeNodes(rows []any) ([]nodeRow, error) {
	out := make([]nodeRow, len(rows))
	for i, v := range rows {
		row, _ := v.([]any)
		if len(row) < 2 {
			return nil, fmt.Errorf("scan: node row of %d values", len(row))
		}
		out[i].id, _ = row[0].(int64)
		out[i].props, _ = row[1].(map[string]any)
		out[i].other = -1
		if len(row) > 2 {
			if id, ok := row[2].(int64); ok {
				out[i].other = id
			}
		}
	}
	return out, nil
}

// Relationship row kinds, as scan_relationships numbers them.
const (
	relHolds = iota
	relLegalRep
	relOfficer
	relBranch
)

// relRow is one row of scan_relationships: kind, start and end node ids,
// and the relationship's properties (ratio, amount and since of a
// shareholding; title, since and until of an appointment).
type relRow struct {
	kind          int64
	from, to      int64
	ratio, amount float64
	title         string
	since, until  models.Date
}

// relChunk is a decoded chunk of scan_relationships.
type relChunk struct {
	rows []relRow
}

// decodeRels decodes a relationship chunk, one row per relationship:
// [0, start id, end id, ratio, amount, since] for a shareholding,
// [1 or 2, start id, end id, title, since, until] for an appointment,
// [3, start id, end id] for a branch link.
func decodeRels(rows []any) (relChunk, error) {
	c := relChunk{rows: make([]relRow, len(rows))}
	for i, v := range rows {
		row, _ := v.([]any)
		if len(row) < 3 {
			return relChunk{}, fmt.Errorf("scan: relationship row of %d values", len(row))
		}
		r := &c.rows[i]
		r.kind, _ = row[0].(int64)
		r.from, _ = row[1].(int64)
		r.to, _ = row[2].(int64)
		if len(row) < 6 {
			continue
		}
		switch r.kind {
		case relHolds:
			r.ratio, r.amount, r.since = numOf(row[3]), numOf(row[4]), dateOf(row[5])
		case relLegalRep, relOfficer:
			r.title, _ = row[3].(string)
			r.since, r.until = dateOf(row[4]), dateOf(row[5])
		}
	}
	return c, nil
}

// models rebuilds the chunk's model values, each enterprise's in a stable
// order (by holder, by kind, person and title, by parent). Relationships
// whose endpoints are not riskgraph's kinds are left out.
func (c relChunk) models(ids *refsByID) ([]models.Shareholding, []models.Role, []models.Branch) {
	var counts [relBranch + 1]int
	for i := range c.rows {
		if k := c.rows[i].kind; k >= 0 && k <= relBranch {
			counts[k]++
		}
	}
	sh := make([]models.Shareholding, 0, counts[relHolds])
	ro := make([]models.Role, 0, counts[relLegalRep]+counts[relOfficer])
	br := make([]models.Branch, 0, counts[relBranch])
	for i := range c.rows {
		r := &c.rows[i]
		from, ok1 := ids.get(r.from)
		to, ok2 := ids.get(r.to)
		if !ok1 || !ok2 || to.Kind != models.KindEnterprise {
			continue
		}
		switch r.kind {
		case relHolds:
			if from.Kind == models.KindEnterprise || from.Kind == models.KindPerson {
				sh = append(sh, models.Shareholding{Holder: from, Enterprise: to.Key, Ratio: r.ratio, Amount: r.amount, Since: r.since})
			}
		case relLegalRep, relOfficer:
			if from.Kind == models.KindPerson {
				kind := models.RoleOfficer
				if r.kind == relLegalRep {
					kind = models.RoleLegalRep
				}
				ro = append(ro, models.Role{Person: from.Key, Enterprise: to.Key, Kind: kind, Title: r.title, Since: r.since, Until: r.until})
			}
		case relBranch:
			if from.Kind == models.KindEnterprise {
				br = append(br, models.Branch{Branch: from.Key, Parent: to.Key})
			}
		}
	}
	sortRuns(sh, func(x models.Shareholding) string { return x.Enterprise }, func(a, b models.Shareholding) int {
		return cmp.Or(strings.Compare(a.Holder.Key, b.Holder.Key), strings.Compare(string(a.Holder.Kind), string(b.Holder.Kind)))
	})
	sortRuns(ro, func(x models.Role) string { return x.Enterprise }, func(a, b models.Role) int {
		return cmp.Or(strings.Compare(string(a.Kind), string(b.Kind)), strings.Compare(a.Person, b.Person), strings.Compare(a.Title, b.Title))
	})
	sortRuns(br, func(x models.Branch) string { return x.Branch }, func(a, b models.Branch) int { return strings.Compare(a.Parent, b.Parent) })
	return sh, ro, br
}

// sortRuns sorts each run of consecutive rows with the same group by cmp.
func sortRuns[T any](rows []T, group func(T) string, cmp func(a, b T) int) {
	for i := 0; i < len(rows); {
		j := i + 1
		for j < len(rows) && group(rows[j]) == group(rows[i]) {
			j++
		}
		if j-i > 1 {
			slices.SortFunc(rows[i:j], cmp)
		}
		i = j
	}
}

// refsByID maps the internal ids of the nodes a scan has seen to their
// references. Internal ids are dense, so they index slices; an id far
// beyond the nodes seen goes to a map instead.
type refsByID struct {
	keys   []string
	kinds  []models.NodeKind
	sparse map[int64]models.Ref
}

// denseLimit bounds the slices: ids up to 4 per node seen, plus slack.
func (m *refsByID) denseLimit() int64 { return 4*int64(len(m.keys)) + 1<<20 }

func (m *refsByID) put(id int64, kind models.NodeKind, key string) {
	if id < 0 {
		return
	}
	if id >= m.denseLimit() {
		if m.sparse == nil {
			m.sparse = map[int64]models.Ref{}
		}
		m.sparse[id] = models.Ref{Kind: kind, Key: key}
		return
	}
	if id >= int64(len(m.keys)) {
		n := max(id+1, 2*int64(len(m.keys)))
		m.keys = slices.Grow(m.keys, int(n)-len(m.keys))[:n]
		m.kinds = slices.Grow(m.kinds, int(n)-len(m.kinds))[:n]
	}
	m.keys[id], m.kinds[id] = key, kind
}

// get returns the node with internal id id; ok is false for an id not seen
// or not one of riskgraph's nodes.
func (m *refsByID) get(id int64) (models.Ref, bool) {
	r := m.lookup(id)
	return r, r.Kind != "" && r.Kind != missing
}

// lookup returns what the map holds for id: a zero Ref if nothing.
func (m *refsByID) lookup(id int64) models.Ref {
	if id >= 0 && id < int64(len(m.keys)) {
		return models.Ref{Kind: m.kinds[id], Key: m.keys[id]}
	}
	return m.sparse[id]
}

// missing marks ids looked up and found to be none of riskgraph's nodes.
const missing models.NodeKind = "-"

// resolve looks up the nodes that rows refer to but that the node streams
// did not list (created while the scan ran) and adds them to ids; ids that
// are no enterprise or person stay unknown.
func (s *Store) resolve(ctx context.Context, ids *refsByID, nodes []nodeRow, rels []relRow) error {
	var want []int64
	check := func(id int64) {
		if id < 0 {
			return
		}
		if ids.lookup(id).Kind == "" {
			want = append(want, id)
		}
	}
	for _, r := range nodes {
		check(r.other)
	}
	for _, r := range rels {
		check(r.from)
		check(r.to)
	}
	if len(want) == 0 {
		return nil
	}
	slices.Sort(want)
	want = slices.Compact(want)
	found := map[int64]models.Ref{}
	err := s.collect(ctx, "scan", qScanRefs, map[string]any{"ids": want},
		func() { clear(found) },
		func(r *driver.Record) error {
			id, _ := r.Values[0].(int64)
			key, _ := r.Values[1].(string)
			person, _ := r.Values[2].(bool)
			ref := models.EnterpriseRef(key)
			if person {
				ref = models.PersonRef(key)
			}
			if key != "" {
				found[id] = ref
			}
			return nil
		})
	if err != nil {
		return err
	}
	for _, id := range want {
		ref, ok := found[id]
		if !ok {
			ref.Kind = missing
		}
		ids.put(id, ref.Kind, ref.Key)
	}
	return nil
}
