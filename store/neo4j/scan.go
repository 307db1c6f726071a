package neo4j

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"runtime/debug"
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
// A variable so that tests can split small graphs into several chunks.
var scanChunk = 5000

// scanAhead is how many decoded chunks each stream may hold before its
// consumer takes them. The persons, records and relationships wait while
// the consumer takes the enterprises first (and the relationships while it
// takes every node); a short read-ahead stops those streams for that time:
// at 100 000 enterprises the projection took 2.18 s with 4 chunks, 1.62 s
// with 32, which hold 160 000 nodes or the relationships of 160 000
// enterprises (about a million rows, 100 MB). A variable so that tests can
// lower it.
var scanAhead = 32

// scanAheadWaiting is the read-ahead of the streams that wait for the
// streams before them (persons, records, relationships, relations) when
// the process runs under a memory limit (engine.Options.MemoryLimit,
// GOMEMLIMIT): while they wait their chunks are held whole, decoded and
// with the driver's values, and what they hold is then the floor of the
// heap, under any limit — at 100 000 enterprises 32 chunks are the whole
// stream, and a run peaked at 240 MiB with a limit of 128 MiB as of
// 160 MiB. Without a limit they read scanAhead ahead, which is faster
// (docs/storage.md, "Scan on Neo4j"). A variable so that tests can lower
// it with scanAhead.
var scanAheadWaiting = 2

// aheadWaiting is the read-ahead of the streams that wait: scanAhead, or
// scanAheadWaiting when the process has a memory limit.
func aheadWaiting() int {
	if debug.SetMemoryLimit(-1) < math.MaxInt64 {
		return min(scanAhead, scanAheadWaiting)
	}
	return scanAhead
}

// Scan streams the graph in pages of at most pageSize rows: enterprises,
// persons and records in key order, then the relationships, enterprise by
// enterprise in key order.
//
// Four streams (enterprises, persons, records, relationships) read at the
// same time, chunk by chunk with keyset pagination (key > last key,
// ordered by the unique index); each stream is split into up to
// Options.ScanSessions key ranges that their own goroutines and sessions
// read at once (keyRanges), ending where a single session's chunks end, so
// the pages are the same whatever the number of sessions. Each chunk is
// one statement in its own short read transaction (retried by the driver)
// and comes back as one record listing scanChunk rows. Rows name nodes by
// their internal id; the node streams map ids to keys, so relationship rows
// carry two integers and the relationship's properties instead of the keys.
// A stream reads at most scanAhead chunks ahead of fn, which runs outside
// any transaction, in the caller's goroutine. A scan is not a snapshot:
// writes made while it runs may or may not be seen.
func (s *Store) Scan(ctx context.Context, pageSize int, fn func(*store.Batch) error) error {
	return s.scan(ctx, pageSize, fullScan, func(p *store.ProjectionPage) error { return fn(&p.Batch) })
}

// ScanProjection is Scan for the engine's projection (store.ProjectionScanner):
// the same rows in the same order, read by lean statements
// (scan_projection_*) that return only the fields the projection reads, as
// positional lists. Pages and their slices are reused once fn returns.
//
// Node numbers are internal ids, which are dense, when they are below
// 3 × (enterprises and persons when the scan starts) + 2^20; a node with a
// larger id gets the next number from that limit up. Nodes are not deleted
// while a scan runs, so every number stays below 4 × (nodes) + 2^20.
func (s *Store) ScanProjection(ctx context.Context, pageSize int, fn func(*store.ProjectionPage) error) error {
	return s.scan(ctx, pageSize, projectionScan, fn)
}

// scanShape is what differs between Scan and ScanProjection: the statements,
// how their rows decode, and whether nodes are numbered and pages reused.
type scanShape struct {
	enterprises, persons, records, relationships string
	enterprise                                   func(row []any) (models.Enterprise, int64)
	person                                       func(row []any) (models.Person, int64)
	record                                       func(row []any) (models.Record, int64)
	// rel decodes a relationship row's properties, after kind and endpoints.
	rel func(row []any, r *relRow)
	// numbered: number the nodes and reuse the pages (ScanProjection).
	numbered bool
}

// fullScan reads every property; nodes come as [id, properties] and
// records as [id, properties, subject id].
var fullScan = scanShape{
	enterprises: qScanEnterprises, persons: qScanPersons, records: qScanRecords, relationships: qScanRelationships,
	enterprise: func(row []any) (models.Enterprise, int64) { return enterpriseOf(propsAt(row, 1)), -1 },
	person:     func(row []any) (models.Person, int64) { return personOf(propsAt(row, 1)), -1 },
	record:     func(row []any) (models.Record, int64) { return recordOf(propsAt(row, 1), models.Ref{}), idAt(row, 2) },
	rel:        fullRel,
}

// projectionScan reads the fields store.ProjectionScanner lists, as
// positional rows (see the scan_projection_* statements).
var projectionScan = scanShape{
	enterprises: qScanProjectionEnterprises, persons: qScanProjectionPersons, records: qScanProjectionRecords,
	relationships: qScanProjectionRelationships,
	enterprise:    leanEnterprise, person: leanPerson, record: leanRecord, rel: leanRel,
	numbered: true,
}

// scan runs Scan or ScanProjection, as shape says: four streams read by
// startStream and drained in the contract's order into pages of pageSize.
func (s *Store) scan(ctx context.Context, pageSize int, shape scanShape, fn func(*store.ProjectionPage) error) error {
	if pageSize < 1 {
		return fmt.Errorf("%w: page size %d", store.ErrInvalid, pageSize)
	}
	var nums *numbers
	sizes, records, err := s.countScan(ctx)
	if err != nil {
		return err
	}
	if shape.numbered {
		nums = newNumbers(int64(sizes.Enterprises + sizes.Persons))
	} else {
		sizes = store.ScanSizes{} // Scan's pages carry no sizes
	}
	// Each stream is split into key ranges read at the same time, by one
	// session each; enterprises and their relationships share the
	// enterprises' ranges, persons and their relations the persons'.
	entRanges, err := s.keyRanges(ctx, qScanSplitEnterprises, qScanLastEnterprises, sizes.Enterprises)
	if err != nil {
		return err
	}
	perRanges, err := s.keyRanges(ctx, qScanSplitPersons, qScanLastPersons, sizes.Persons)
	if err != nil {
		return err
	}
	recRanges, err := s.keyRanges(ctx, qScanSplitRecords, qScanLastRecords, records)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait() // runs after cancel: no stream outlives the scan
	defer cancel()

	waiting := aheadWaiting()
	ents := startStreams(ctx, &wg, s, shape.enterprises, entRanges, scanAhead, nodeDecoder(shape.enterprise))
	pers := startStreams(ctx, &wg, s, shape.persons, perRanges, waiting, nodeDecoder(shape.person))
	recs := startStreams(ctx, &wg, s, shape.records, recRanges, waiting, nodeDecoder(shape.record))
	// The projection reads its relationships by internal id, after the
	// nodes (scanbyid.go), unless the process has a memory limit.
	byID := shape.numbered && relsByID()
	var rels, relations []<-chan chunkOf[relChunk]
	if !byID {
		rels = startStreams(ctx, &wg, s, shape.relationships, entRanges, waiting, relDecoder(shape.rel))
		relations = startStreams(ctx, &wg, s, qScanRelations, perRanges, waiting, relDecoder(relationRel))
	}

	var (
		ids                refsByID
		entRanks, perRanks ranks
		out                = pageFiller{ctx: ctx, size: pageSize, fn: fn, page: &store.ProjectionPage{Sizes: sizes}, reuse: shape.numbered}
	)
	err = drain(ctx, ents, func(c nodeChunk[models.Enterprise]) error {
		for i := range c.rows {
			ids.put(c.ids[i], models.KindEnterprise, c.rows[i].Key)
			if byID {
				entRanks.add(c.ids[i])
			}
		}
		return fill(&out, c.rows, nums.of(c.ids), pageEnterprises)
	})
	if err != nil {
		return err
	}
	err = drain(ctx, pers, func(c nodeChunk[models.Person]) error {
		for i := range c.rows {
			ids.put(c.ids[i], models.KindPerson, c.rows[i].PID)
			if byID {
				perRanks.add(c.ids[i])
			}
		}
		return fill(&out, c.rows, nums.of(c.ids), pagePersons)
	})
	if err != nil {
		return err
	}
	var subjects []int64
	err = drain(ctx, recs, func(c nodeChunk[models.Record]) error {
		if err := s.resolve(ctx, &ids, c.others, nil); err != nil {
			return err
		}
		subjects = subjects[:0]
		for i := range c.rows {
			id := int64(-1)
			if subject, ok := ids.get(c.others[i]); ok {
				c.rows[i].Subject, id = subject, c.others[i]
			}
			subjects = append(subjects, id)
		}
		return fill(&out, c.rows, nums.of(subjects), pageRecords)
	})
	if err != nil {
		return err
	}
	if byID {
		if err := s.relationshipsByID(ctx, &ids, nums, &entRanks, &perRanks, &out); err != nil {
			return err
		}
		return out.flush()
	}
	var rs relModels
	err = drain(ctx, rels, func(c relChunk) error {
		if err := s.resolve(ctx, &ids, nil, c.rows); err != nil {
			return err
		}
		c.models(&ids, nums, &rs)
		if err := fill(&out, rs.sh, rs.shEnds, pageShareholdings); err != nil {
			return err
		}
		if err := fill(&out, rs.ro, rs.roEnds, pageRoles); err != nil {
			return err
		}
		if err := fill(&out, rs.co, nil, pageControls); err != nil {
			return err
		}
		return fill(&out, rs.br, rs.brEnds, pageBranches)
	})
	if err != nil {
		return err
	}
	err = drain(ctx, relations, func(c relChunk) error {
		if err := s.resolve(ctx, &ids, nil, c.rows); err != nil {
			return err
		}
		c.relations(&ids, nums, &rs)
		return fill(&out, rs.rel, rs.relEnds, pageRelations)
	})
	if err != nil {
		return err
	}
	return out.flush()
}

// countScan returns the numbers of enterprises, persons and relationships,
// and of records (scan_projection_count, from the count store).
func (s *Store) countScan(ctx context.Context) (store.ScanSizes, int, error) {
	var (
		sz      store.ScanSizes
		records int
	)
	err := s.collect(ctx, "scan", qScanProjectionCount, nil, func() { sz, records = store.ScanSizes{}, 0 }, func(r *driver.Record) error {
		e, _ := r.Values[0].(int64)
		p, _ := r.Values[1].(int64)
		rels, _ := r.Values[2].(int64)
		recs, _ := r.Values[3].(int64)
		sz = store.ScanSizes{Enterprises: int(e), Persons: int(p), Relationships: int(rels)}
		records = int(recs)
		return nil
	})
	return sz, records, err
}

// keyRange is the part of a stream one session reads: the keys after
// after, up to and including upto.
type keyRange struct{ after, upto string }

// scanPartMin is the fewest keys a range is given: a range is worth its
// own session only when it spans several chunks. A variable so that tests
// can split small graphs.
var scanPartMin = 4 * scanChunk

// keyRanges splits the keys of a label (about n of them, from the count
// store) into up to s.scanSessions ranges of about equal size, at the keys
// the split statement finds at those positions (from the unique index);
// the last range ends at the greatest key (the last statement). None when
// the label has no node. Keys written after this are read when they fall
// into a range, like any write made during a scan.
func (s *Store) keyRanges(ctx context.Context, split, last string, n int) ([]keyRange, error) {
	keyAt := func(name string, params map[string]any) (string, error) {
		var k string
		err := s.collect(ctx, "scan", name, params, func() { k = "" }, func(r *driver.Record) error {
			k, _ = r.Values[0].(string)
			return nil
		})
		return k, err
	}
	end, err := keyAt(last, nil)
	if err != nil || end == "" {
		return nil, err
	}
	parts := max(1, min(s.scanSessions, n/max(scanPartMin, 1)))
	ranges := make([]keyRange, 0, parts)
	after := ""
	for i := 1; i < parts; i++ {
		// Ranges end where the serial scan's chunks end (after a multiple
		// of scanChunk keys), so that every chunk, and so every page, is
		// the one a single session reads: the engine's edge order within
		// a node follows the chunks.
		chunks := (i*n/parts + scanChunk/2) / scanChunk
		if chunks == 0 {
			continue
		}
		k, err := keyAt(split, map[string]any{"skip": int64(chunks*scanChunk - 1)})
		if err != nil {
			return nil, err
		}
		if k <= after || k >= end {
			continue // the label changed since it was counted
		}
		ranges = append(ranges, keyRange{after: after, upto: k})
		after = k
	}
	return append(ranges, keyRange{after: after, upto: end}), nil
}

// The slices of a page that fill appends to, rows and numbers.

func pageEnterprises(p *store.ProjectionPage) (*[]models.Enterprise, *[]int32) {
	return &p.Enterprises, &p.EnterpriseNums
}

func pagePersons(p *store.ProjectionPage) (*[]models.Person, *[]int32) {
	return &p.Persons, &p.PersonNums
}

func pageRecords(p *store.ProjectionPage) (*[]models.Record, *[]int32) {
	return &p.Records, &p.RecordSubjects
}

func pageShareholdings(p *store.ProjectionPage) (*[]models.Shareholding, *[]store.Ends) {
	return &p.Shareholdings, &p.ShareholdingEnds
}

func pageRoles(p *store.ProjectionPage) (*[]models.Role, *[]store.Ends) {
	return &p.Roles, &p.RoleEnds
}

func pageBranches(p *store.ProjectionPage) (*[]models.Branch, *[]store.Ends) {
	return &p.Branches, &p.BranchEnds
}

// pageControls: controls carry no node numbers (the projection does not
// read them).
func pageControls(p *store.ProjectionPage) (*[]models.Control, *[]store.Ends) {
	return &p.Controls, nil
}

func pageRelations(p *store.ProjectionPage) (*[]models.Relation, *[]store.Ends) {
	return &p.Relations, &p.RelationEnds
}

// chunkOf is one decoded chunk of a stream, or the error that ended it.
type chunkOf[T any] struct {
	rows T
	err  error
}

// startStreams starts a stream (startStream) for each key range, each
// with its share of the read-ahead of total chunks, and returns their
// channels in the order of the ranges.
func startStreams[T any](ctx context.Context, wg *sync.WaitGroup, s *Store, name string, ranges []keyRange, total int, decode func([]any) (T, error)) []<-chan chunkOf[T] {
	chs := make([]<-chan chunkOf[T], len(ranges))
	ahead := max(1, total/max(len(ranges), 1))
	for i, r := range ranges {
		chs[i] = startStream(ctx, wg, s, name, r, ahead, decode)
	}
	return chs
}

// startStream reads statement name chunk by chunk over the keys of r and
// sends each chunk, decoded, on the returned channel (which holds up to
// ahead chunks), closed at the end. The
// statement returns one record: the rows, how many keys the chunk covers
// (fewer than scanChunk on the last chunk) and the last key. One goroutine
// reads, another decodes, so the server prepares the next chunk while the
// client decodes this one. The stream stops, without sending, when ctx ends.
func startStream[T any](ctx context.Context, wg *sync.WaitGroup, s *Store, name string, r keyRange, ahead int, decode func([]any) (T, error)) <-chan chunkOf[T] {
	raw := make(chan chunkOf[[]any], 1)
	ch := make(chan chunkOf[T], ahead)
	wg.Add(2)
	go func() {
		defer wg.Done()
		defer close(raw)
		after := r.after
		for {
			var (
				rows []any
				n    int64
				last string
			)
			err := s.collect(ctx, "scan", name, map[string]any{"after": after, "upto": r.upto, "limit": scanChunk},
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
			if err != nil || n < int64(scanChunk) {
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

// drain hands every chunk of the streams chs to put, stream by stream in
// order, and returns the first error: a stream's, put's or the context's.
func drain[T any](ctx context.Context, chs []<-chan chunkOf[T], put func(T) error) error {
	for _, ch := range chs {
		for c := range ch {
			if c.err != nil {
				return c.err
			}
			if err := put(c.rows); err != nil {
				return err
			}
		}
	}
	// A stream stops without an error when ctx ends.
	return ctx.Err()
}

// pageFiller cuts rows into pages of exactly size rows (the last may be
// shorter) and hands each to fn. With reuse, the page and its slices are
// emptied and filled again once fn returns; otherwise each page is new.
type pageFiller struct {
	ctx   context.Context
	size  int
	fn    func(*store.ProjectionPage) error
	page  *store.ProjectionPage
	reuse bool
}

// fill appends rows to the pages, and nums (when not nil) beside them;
// field selects the page's slices for them.
func fill[T, N any](p *pageFiller, rows []T, nums []N, field func(*store.ProjectionPage) (*[]T, *[]N)) error {
	for len(rows) > 0 {
		k := min(p.size-p.page.Len(), len(rows))
		dst, dnum := field(p.page)
		if *dst == nil {
			*dst = make([]T, 0, min(p.size, len(rows)))
		}
		*dst = append(*dst, rows[:k]...)
		rows = rows[k:]
		if nums != nil {
			if *dnum == nil {
				*dnum = make([]N, 0, cap(*dst))
			}
			*dnum = append(*dnum, nums[:k]...)
			nums = nums[k:]
		}
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
	if !p.reuse {
		page := p.page
		p.page = &store.ProjectionPage{Sizes: page.Sizes}
		return p.fn(page)
	}
	if err := p.fn(p.page); err != nil {
		return err
	}
	b := p.page
	b.Enterprises, b.Persons, b.Records = b.Enterprises[:0], b.Persons[:0], b.Records[:0]
	b.Shareholdings, b.Roles, b.Branches = b.Shareholdings[:0], b.Roles[:0], b.Branches[:0]
	b.EnterpriseNums, b.PersonNums, b.RecordSubjects = b.EnterpriseNums[:0], b.PersonNums[:0], b.RecordSubjects[:0]
	b.ShareholdingEnds, b.RoleEnds, b.BranchEnds = b.ShareholdingEnds[:0], b.RoleEnds[:0], b.BranchEnds[:0]
	b.Relations, b.RelationEnds = b.Relations[:0], b.RelationEnds[:0]
	b.Controls = b.Controls[:0]
	return nil
}

// nodeChunk is a decoded chunk of a node stream: each node's internal id
// and model value, and for records the subject's internal id (-1 when
// there is none) in others.
type nodeChunk[M any] struct {
	ids    []int64
	rows   []M
	others []int64
}

// nodeDecoder returns the decoder of a node stream whose rows conv turns
// into a model value and, for records, the subject's id. Every row starts
// with the node's internal id.
func nodeDecoder[M any](conv func(row []any) (M, int64)) func([]any) (nodeChunk[M], error) {
	return func(rows []any) (nodeChunk[M], error) {
		c := nodeChunk[M]{ids: make([]int64, len(rows)), rows: make([]M, len(rows)), others: make([]int64, len(rows))}
		for i, v := range rows {
			row, _ := v.([]any)
			if len(row) < 2 {
				return nodeChunk[M]{}, fmt.Errorf("scan: node row of %d values", len(row))
			}
			c.ids[i] = idAt(row, 0)
			c.rows[i], c.others[i] = conv(row)
		}
		return c, nil
	}
}

// idAt reads the internal id at row[i]: -1 when it is null or missing.
func idAt(row []any, i int) int64 {
	if i < len(row) {
		if id, ok := row[i].(int64); ok {
			return id
		}
	}
	return -1
}

// propsAt reads the property map at row[i].
func propsAt(row []any, i int) map[string]any {
	if i < len(row) {
		m, _ := row[i].(map[string]any)
		return m
	}
	return nil
}

// strAt reads the string at row[i]; anything else reads as "".
func strAt(row []any, i int) string {
	if i < len(row) {
		s, _ := row[i].(string)
		return s
	}
	return ""
}

// at returns row[i], or nil past the end.
func at(row []any, i int) any {
	if i < len(row) {
		return row[i]
	}
	return nil
}

// leanRisk reads the engine's score and flags at row[i] and row[i+1]: nil
// when there is no score.
func leanRisk(row []any, i int) *models.Risk {
	if at(row, i) == nil {
		return nil
	}
	return &models.Risk{Score: numOf(row[i]), Flags: strsOf(at(row, i+1))}
}

// leanEnterprise reads a scan_projection_enterprises row.
func leanEnterprise(row []any) (models.Enterprise, int64) {
	placeholder, _ := at(row, 10).(bool)
	return models.Enterprise{
		Key:         strAt(row, 1),
		Kind:        models.EnterpriseKind(strAt(row, 2)),
		Status:      models.Status(strAt(row, 3)),
		Established: dateOf(at(row, 4)),
		Region:      strAt(row, 5),
		Industry:    strAt(row, 6),
		Address:     strAt(row, 7),
		Phone:       strAt(row, 8),
		Email:       strAt(row, 9),
		Placeholder: placeholder,
		Risk:        leanRisk(row, 11),
	}, -1
}

// leanPerson reads a scan_projection_persons row.
func leanPerson(row []any) (models.Person, int64) {
	placeholder, _ := at(row, 2).(bool)
	return models.Person{PID: strAt(row, 1), Placeholder: placeholder, Risk: leanRisk(row, 3)}, -1
}

// leanRecord reads a scan_projection_records row; the subject is filled in
// from its id.
func leanRecord(row []any) (models.Record, int64) {
	return models.Record{
		ID:       strAt(row, 2),
		Kind:     models.RecordKind(strAt(row, 3)),
		Severity: numOf(at(row, 4)),
		Decided:  dateOf(at(row, 5)),
		Removed:  dateOf(at(row, 6)),
	}, idAt(row, 1)
}

// Relationship row kinds, as the relationship statements number them.
const (
	relHolds = iota
	relLegalRep
	relOfficer
	relBranch
	relRelated
	relControl
)

// relRow is one row of a relationship statement: kind, start and end node
// ids, and the relationship's properties (ratio, amount and since of a
// shareholding; title, since and until of an appointment).
type relRow struct {
	kind          int64
	from, to      int64
	ratio, amount float64
	title         string  // an appointment's title; a relation's kind
	titleText     string  // an appointment's title_text (scan_relationships only)
	score         float64 // match_score (scan_relationships only)
	since, until  models.Date
	// What the beneficial-owner rules added (scan_relationships only): a
	// holding's voting and income ratios, an officer's day-to-day mark, a
	// control's basis, group and note.
	voting, income     *float64
	dayToDay           bool
	basis, group, note string
}

// relChunk is a decoded chunk of a relationship statement.
type relChunk struct {
	rows []relRow
}

// relDecoder returns the decoder of relationship chunks whose rows start
// with [kind, start id, end id]; props reads the rest of a row.
func relDecoder(props func(row []any, r *relRow)) func([]any) (relChunk, error) {
	return func(rows []any) (relChunk, error) {
		c := relChunk{rows: make([]relRow, len(rows))}
		for i, v := range rows {
			row, _ := v.([]any)
			if len(row) < 3 {
				return relChunk{}, fmt.Errorf("scan: relationship row of %d values", len(row))
			}
			r := &c.rows[i]
			r.kind, _ = row[0].(int64)
			r.from, r.to = idAt(row, 1), idAt(row, 2)
			props(row, r)
		}
		return c, nil
	}
}

// fullRel reads a scan_relationships row:
// [0, start, end, ratio, amount, since, match_score] for a shareholding,
// [1 or 2, start, end, title, since, until, title_text, match_score] for
// an appointment, [3, start, end, match_score] for a branch link.
func fullRel(row []any, r *relRow) {
	switch r.kind {
	case relHolds:
		r.ratio, r.amount, r.since = numOf(at(row, 3)), numOf(at(row, 4)), dateOf(at(row, 5))
		r.score = numOf(at(row, 6))
		r.voting, r.income = optNumOf(at(row, 7)), optNumOf(at(row, 8))
	case relLegalRep, relOfficer:
		appointment(row, r)
		r.titleText = strAt(row, 6)
		r.score = numOf(at(row, 7))
		r.dayToDay = r.kind == relOfficer && at(row, 8) == true
	case relBranch:
		r.score = numOf(at(row, 3))
	case relControl:
		r.basis, r.group, r.note = strAt(row, 3), strAt(row, 4), strAt(row, 5)
		r.since, r.until = dateOf(at(row, 6)), dateOf(at(row, 7))
	}
}

// leanRel reads a scan_projection_relationships row: as fullRel's, but
// [0, start, end, ratio, since] for a shareholding and no title_text.
func leanRel(row []any, r *relRow) {
	switch r.kind {
	case relHolds:
		r.ratio, r.since = numOf(at(row, 3)), dateOf(at(row, 4))
	case relLegalRep, relOfficer:
		appointment(row, r)
	}
}

// relationRel reads a scan_relations row: [4, start, end, kind, since].
func relationRel(row []any, r *relRow) {
	r.title, r.since = strAt(row, 3), dateOf(at(row, 4))
}

// appointment reads [kind, start, end, title, since, until].
func appointment(row []any, r *relRow) {
	r.title = strAt(row, 3)
	r.since, r.until = dateOf(at(row, 4)), dateOf(at(row, 5))
}

// relModels are a chunk's relationships as model values and, when the
// scan numbers nodes, their endpoints' numbers; the slices are reused from
// chunk to chunk.
type relModels struct {
	sh                     []models.Shareholding
	ro                     []models.Role
	br                     []models.Branch
	shEnds, roEnds, brEnds []store.Ends
	co                     []models.Control
	rel                    []models.Relation
	relEnds                []store.Ends
	// Scratch: the rows of each kind with their endpoints.
	holds, roles, branches, related, controls []relEnds
}

// relEnds is a relationship row with its endpoints' references.
type relEnds struct {
	row      *relRow
	from, to models.Ref
}

// roleKind is the model kind of an appointment row.
func (r *relRow) roleKind() models.RoleKind {
	if r.kind == relLegalRep {
		return models.RoleLegalRep
	}
	return models.RoleOfficer
}

// models rebuilds the chunk's model values into out, each enterprise's in
// a stable order (by holder, by kind, person and title, by parent), with
// the endpoints' numbers when nums is not nil. Relationships whose
// endpoints are not riskgraph's kinds are left out.
func (c relChunk) models(ids *refsByID, nums *numbers, out *relModels) {
	// Each relEnds points into its chunk's rows: entries a previous,
	// longer chunk left past the new length would keep that whole chunk
	// (decoded rows of 5 000 enterprises) alive, so the slices are cleared
	// to their capacity, not only emptied.
	out.holds, out.roles, out.branches, out.controls = emptied(out.holds), emptied(out.roles), emptied(out.branches), emptied(out.controls)
	for i := range c.rows {
		r := &c.rows[i]
		from, ok1 := ids.get(r.from)
		to, ok2 := ids.get(r.to)
		if !ok1 || !ok2 || to.Kind != models.KindEnterprise {
			continue
		}
		x := relEnds{row: r, from: from, to: to}
		switch r.kind {
		case relHolds:
			if from.Kind == models.KindEnterprise || from.Kind == models.KindPerson {
				out.holds = append(out.holds, x)
			}
		case relLegalRep, relOfficer:
			if from.Kind == models.KindPerson {
				out.roles = append(out.roles, x)
			}
		case relBranch:
			if from.Kind == models.KindEnterprise {
				out.branches = append(out.branches, x)
			}
		case relControl:
			if from.Kind == models.KindEnterprise || from.Kind == models.KindPerson {
				out.controls = append(out.controls, x)
			}
		}
	}
	sortRuns(out.holds, func(x relEnds) string { return x.to.Key }, func(a, b relEnds) int {
		return cmp.Or(strings.Compare(a.from.Key, b.from.Key), strings.Compare(string(a.from.Kind), string(b.from.Kind)))
	})
	sortRuns(out.roles, func(x relEnds) string { return x.to.Key }, func(a, b relEnds) int {
		return cmp.Or(strings.Compare(string(a.row.roleKind()), string(b.row.roleKind())),
			strings.Compare(a.from.Key, b.from.Key), strings.Compare(a.row.title, b.row.title))
	})
	sortRuns(out.branches, func(x relEnds) string { return x.from.Key }, func(a, b relEnds) int { return strings.Compare(a.to.Key, b.to.Key) })

	sortRuns(out.controls, func(x relEnds) string { return x.to.Key }, func(a, b relEnds) int {
		return cmp.Or(strings.Compare(a.from.String(), b.from.String()), strings.Compare(a.row.basis, b.row.basis))
	})
	out.sh, out.ro, out.br, out.co = out.sh[:0], out.ro[:0], out.br[:0], out.co[:0]
	for _, x := range out.holds {
		out.sh = append(out.sh, models.Shareholding{Holder: x.from, Enterprise: x.to.Key, Ratio: x.row.ratio, Amount: x.row.amount, Since: x.row.since,
			MatchScore: x.row.score, VotingRatio: x.row.voting, IncomeRatio: x.row.income})
	}
	for _, x := range out.roles {
		out.ro = append(out.ro, models.Role{Person: x.from.Key, Enterprise: x.to.Key, Kind: x.row.roleKind(), Title: x.row.title, TitleText: x.row.titleText,
			Since: x.row.since, Until: x.row.until, DayToDay: x.row.dayToDay, MatchScore: x.row.score})
	}
	for _, x := range out.controls {
		out.co = append(out.co, models.Control{Controller: x.from, Enterprise: x.to.Key, Basis: models.ControlBasis(x.row.basis),
			Group: x.row.group, Note: x.row.note, Since: x.row.since, Until: x.row.until})
	}
	for _, x := range out.branches {
		out.br = append(out.br, models.Branch{Branch: x.from.Key, Parent: x.to.Key, MatchScore: x.row.score})
	}
	out.shEnds, out.roEnds, out.brEnds = nums.ends(out.shEnds, out.holds), nums.ends(out.roEnds, out.roles), nums.ends(out.brEnds, out.branches)
}

// relations rebuilds a scan_relations chunk's relations into out, each
// person's in a stable order (by the other person, then kind), with the
// endpoints' numbers when nums is not nil. Rows whose endpoints are not
// both persons are left out.
func (c relChunk) relations(ids *refsByID, nums *numbers, out *relModels) {
	out.related = emptied(out.related) // as in models
	for i := range c.rows {
		r := &c.rows[i]
		from, ok1 := ids.get(r.from)
		to, ok2 := ids.get(r.to)
		if ok1 && ok2 && r.kind == relRelated && from.Kind == models.KindPerson && to.Kind == models.KindPerson {
			out.related = append(out.related, relEnds{row: r, from: from, to: to})
		}
	}
	sortRuns(out.related, func(x relEnds) string { return x.from.Key }, func(a, b relEnds) int {
		return cmp.Or(strings.Compare(a.to.Key, b.to.Key), strings.Compare(a.row.title, b.row.title))
	})
	out.rel = out.rel[:0]
	for _, x := range out.related {
		out.rel = append(out.rel, models.Relation{A: x.from.Key, B: x.to.Key, Kind: models.RelationKind(x.row.title), Since: x.row.since})
	}
	out.relEnds = nums.ends(out.relEnds, out.related)
}

// emptied returns rows[:0] with every element up to its capacity zeroed,
// so that the reused array references nothing.
func emptied(rows []relEnds) []relEnds {
	clear(rows[:cap(rows)])
	return rows[:0]
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
// beyond the nodes seen goes to a map instead. Kinds are kept as a byte
// (refKinds): the slices span every internal id (records' too, about
// four million at 1 M enterprises), and a string header per id took
// 61 MiB more at the scan's peak.
type refsByID struct {
	keys   []string
	kinds  []uint8 // index into refKinds
	sparse map[int64]models.Ref
}

// refKinds are the kinds refsByID codes: 0 is none (an id never seen).
var refKinds = [...]models.NodeKind{"", models.KindEnterprise, models.KindPerson, missing}

// refKindCode returns kind's code in refKinds.
func refKindCode(kind models.NodeKind) uint8 {
	for i, k := range refKinds {
		if k == kind {
			return uint8(i)
		}
	}
	return uint8(slices.Index(refKinds[:], missing)) // no other kind is ever put
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
	m.keys[id], m.kinds[id] = key, refKindCode(kind)
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
		return models.Ref{Kind: refKinds[m.kinds[id]], Key: m.keys[id]}
	}
	return m.sparse[id]
}

// missing marks ids looked up and found to be none of riskgraph's nodes.
const missing models.NodeKind = "-"

// resolve looks up the nodes that rows refer to but that the node streams
// did not list (created while the scan ran) and adds them to ids: the
// records' subjects (others) and the relationships' endpoints. Ids that are
// no enterprise or person stay unknown.
func (s *Store) resolve(ctx context.Context, ids *refsByID, others []int64, rels []relRow) error {
	var want []int64
	check := func(id int64) {
		if id < 0 {
			return
		}
		if ids.lookup(id).Kind == "" {
			want = append(want, id)
		}
	}
	for _, id := range others {
		check(id)
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

// numbers assigns the node numbers of a projection scan (see
// ScanProjection): an internal id below limit is its own number; a larger
// one gets the next number from limit up. A nil *numbers numbers nothing.
type numbers struct {
	limit int64
	over  map[int64]int32
	// scratch holds the numbers of one chunk of nodes.
	scratch []int32
}

// newNumbers returns the numbering for a graph of n enterprises and persons.
func newNumbers(n int64) *numbers {
	return &numbers{limit: min(3*max(n, 0)+1<<20, math.MaxInt32/2), over: map[int64]int32{}}
}

// one returns the number of the node with internal id id (NoNumber for a
// negative id, or when the numbers run out).
func (m *numbers) one(id int64) int32 {
	switch {
	case id < 0:
		return store.NoNumber
	case id < m.limit:
		return int32(id)
	}
	if n, ok := m.over[id]; ok {
		return n
	}
	n := m.limit + int64(len(m.over))
	if n >= math.MaxInt32 {
		return store.NoNumber
	}
	m.over[id] = int32(n)
	return int32(n)
}

// of returns the numbers of ids, in a slice valid until the next call; nil
// when m is nil.
func (m *numbers) of(ids []int64) []int32 {
	if m == nil {
		return nil
	}
	m.scratch = m.scratch[:0]
	for _, id := range ids {
		m.scratch = append(m.scratch, m.one(id))
	}
	return m.scratch
}

// ends returns dst[:0] with the endpoints' numbers of rows appended; nil
// when m is nil.
func (m *numbers) ends(dst []store.Ends, rows []relEnds) []store.Ends {
	if m == nil {
		return nil
	}
	dst = dst[:0]
	for _, x := range rows {
		dst = append(dst, store.Ends{From: m.one(x.row.from), To: m.one(x.row.to)})
	}
	return dst
}
