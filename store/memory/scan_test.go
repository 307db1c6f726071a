package memory

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/storetest"
)

// projectionRows is ScanProjection seen as a plain scan of batches.
func (s *Store) projectionRows(ctx context.Context, size int, fn func(*store.Batch) error) error {
	return s.ScanProjection(ctx, size, func(p *store.ProjectionPage) error { return fn(&p.Batch) })
}

// collectPages scans s and copies every row out of the pages as fn sees
// them (what a consumer that keeps nothing of a page can observe).
func collectPages(t *testing.T, scan func(context.Context, int, func(*store.Batch) error) error, size int) (all store.Batch, pages int) {
	t.Helper()
	err := scan(context.Background(), size, func(b *store.Batch) error {
		if b.Len() == 0 || b.Len() > size {
			t.Errorf("page of %d rows, want 1..%d", b.Len(), size)
		}
		pages++
		all.Append(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return all, pages
}

// TestScanProjectionSeesWhatScanSees: the projection scan hands fn the
// same rows, in the same order, as Scan, although its buffers are recycled.
func TestScanProjectionSeesWhatScanSees(t *testing.T) {
	s, err := Open(Options{Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WriteBatch(context.Background(), storetest.Fixture()); err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{1, 2, 3, 1000} {
		want, wantPages := collectPages(t, s.Scan, size)
		got, _ := collectPages(t, s.projectionRows, size)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("page size %d: ScanProjection gave\n%+v\nScan gave (%d pages)\n%+v", size, got, wantPages, want)
		}
		if !slices.IsSortedFunc(want.Enterprises, func(a, b models.Enterprise) int { return strings.Compare(a.Key, b.Key) }) {
			t.Errorf("enterprises not in key order")
		}
	}
	stop := errors.New("stop")
	if err := s.projectionRows(context.Background(), 1, func(*store.Batch) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("an error from fn must end the scan and be returned: %v", err)
	}
}

// TestScanProjectionRecyclesBuffers: on a store of many rows the
// projection scan allocates far less than a scan that copies every row
// into new pages.
func TestScanProjectionRecyclesBuffers(t *testing.T) {
	s, err := Open(Options{Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	b := &store.Batch{}
	for i := range 4000 {
		key := fmt.Sprintf("E%05d", i)
		b.Enterprises = append(b.Enterprises, models.Enterprise{Key: key, Name: "企业" + key, Address: "某市某路" + key})
		b.Shareholdings = append(b.Shareholdings, models.Shareholding{Holder: models.EnterpriseRef(key), Enterprise: fmt.Sprintf("E%05d", (i+1)%4000), Ratio: 0.3})
	}
	if err := s.WriteBatch(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	allocated := func(scan func(context.Context, int, func(*store.Batch) error) error) uint64 {
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		rows := 0
		if err := scan(context.Background(), 100, func(p *store.Batch) error { rows += p.Len(); return nil }); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&m1)
		if rows != 8000 {
			t.Fatalf("scanned %d rows, want 8000", rows)
		}
		return m1.TotalAlloc - m0.TotalAlloc
	}
	copying, reusing := allocated(s.Scan), allocated(s.projectionRows)
	// Both sort the same node lists; the copying scan also allocates every
	// row (≈ 1.3 MB of enterprises and shareholdings here).
	if reusing*2 > copying {
		t.Errorf("ScanProjection allocated %d bytes, Scan %d: the buffers are not reused", reusing, copying)
	}
}

// TestScanProjectionWithWrites: fn may write while a projection scan runs
// (the scan holds no lock while fn runs, so this must not deadlock), and
// every number stays the node's own: one node, one number, in this scan
// and in the next, including nodes created during the scan.
func TestScanProjectionWithWrites(t *testing.T) {
	s, err := Open(Options{DataDir: t.TempDir(), Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.WriteBatch(ctx, storetest.Fixture()); err != nil {
		t.Fatal(err)
	}
	fixture := storetest.Fixture()
	type seen map[int32]models.Ref
	check := func(nums seen, byRef map[models.Ref]int32, n int32, r models.Ref) {
		t.Helper()
		if n < 0 {
			t.Errorf("%s has no number", r)
			return
		}
		if old, ok := nums[n]; ok && old != r {
			t.Errorf("number %d names both %s and %s", n, old, r)
		}
		if old, ok := byRef[r]; ok && old != n {
			t.Errorf("%s has the numbers %d and %d", r, old, n)
		}
		nums[n], byRef[r] = r, n
	}
	scan := func(write bool) (seen, map[models.Ref]int32) {
		nums, byRef := seen{}, map[models.Ref]int32{}
		pages := 0
		finished := make(chan error, 1)
		go func() {
			finished <- s.ScanProjection(ctx, 1, func(p *store.ProjectionPage) error {
				pages++
				for i, e := range p.Enterprises {
					check(nums, byRef, p.EnterpriseNums[i], e.Ref())
				}
				for i, x := range p.Persons {
					check(nums, byRef, p.PersonNums[i], x.Ref())
				}
				for i, r := range p.Records {
					check(nums, byRef, p.RecordSubjects[i], r.Subject)
				}
				for i, x := range p.Shareholdings {
					check(nums, byRef, p.ShareholdingEnds[i].From, x.Holder)
					check(nums, byRef, p.ShareholdingEnds[i].To, models.EnterpriseRef(x.Enterprise))
				}
				for i, x := range p.Roles {
					check(nums, byRef, p.RoleEnds[i].From, models.PersonRef(x.Person))
					check(nums, byRef, p.RoleEnds[i].To, models.EnterpriseRef(x.Enterprise))
				}
				if !write {
					return nil
				}
				// Each page: a new enterprise held by a fixture enterprise
				// (whose relationships may still be ahead of the scan), a
				// new person appointed there, and a record moved onto it.
				key := fmt.Sprintf("src:during:%03d", pages)
				holder := fixture.Enterprises[pages%len(fixture.Enterprises)].Key
				rec := fixture.Records[pages%len(fixture.Records)]
				rec.Subject = models.EnterpriseRef(key)
				return s.WriteBatch(ctx, &store.Batch{
					Shareholdings: []models.Shareholding{{Holder: models.EnterpriseRef(holder), Enterprise: key, Ratio: 0.1}},
					Roles:         []models.Role{{Person: fmt.Sprintf("%032d", pages), Enterprise: key, Kind: models.RoleLegalRep}},
					Records:       []models.Record{rec},
				})
			})
		}()
		select {
		case err := <-finished:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(time.Minute):
			t.Fatal("a projection scan whose fn writes did not finish: deadlock")
		}
		return nums, byRef
	}
	during, _ := scan(true)
	after, afterByRef := scan(false)
	nodes := 0
	for _, n := range after {
		if n.Kind != models.KindRecord {
			nodes++
		}
	}
	for n, r := range during {
		if m, ok := afterByRef[r]; !ok || m != n {
			t.Errorf("%s was numbered %d during the writes and %d (found %v) after", r, n, m, ok)
		}
	}
	for n := range after {
		if int(n) >= nodes {
			t.Errorf("number %d is not below the %d nodes", n, nodes)
		}
	}
	if len(after) <= len(during) {
		t.Errorf("the second scan numbers %d nodes, the first %d: the writes made during the first are missing", len(after), len(during))
	}
}

// TestDatesRoundTrip: dates are kept as day numbers, and a date that is not
// a plain UTC midnight comes back exactly as written.
func TestDatesRoundTrip(t *testing.T) {
	var ds dates
	for _, d := range []models.Date{
		{},
		models.NewDate(1970, 1, 1),
		models.NewDate(1969, 12, 31),
		models.NewDate(1949, 10, 1),
		models.NewDate(2026, 11, 28),
		models.NewDate(1, 1, 1),
		models.NewDate(9999, 12, 31),
		{Time: time.Date(2020, 1, 2, 3, 4, 5, 6, time.UTC)},
		{Time: time.Date(2020, 1, 2, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))},
		{Time: time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC).Local()},
		{Time: time.Date(20000000, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		n := ds.put(d)
		if got := ds.get(n); got != d {
			t.Errorf("%v (%d): came back as %v", d.Time, n, got.Time)
		}
		if d.Hour() == 0 && d.Location() == time.UTC && d.Year() < 10000 && n >= oddDay && n < oddDay+maxDays {
			t.Errorf("%v is kept verbatim instead of as a day number", d.Time)
		}
	}
	if len(ds.odd) != 4 {
		t.Errorf("%d dates kept verbatim, want 4 (the non-midnight, non-UTC and far ones)", len(ds.odd))
	}
}

// TestScanOrderAcrossWrites: a scan reuses the key order of the one before
// and merges what was written since; after each of several batches (keys
// in random order, many sharing their first 16 bytes) every scan still
// gives all nodes in key order and the relationships grouped by start node
// in key order.
func TestScanOrderAcrossWrites(t *testing.T) {
	s, err := Open(Options{Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	var ents, pers, recs int
	for round := range 6 {
		b := &store.Batch{}
		for range 50 + rng.IntN(200) {
			key := fmt.Sprintf("src:same-sixteen:%d", rng.IntN(1_000_000))
			if rng.IntN(2) == 0 {
				key = fmt.Sprintf("%018d", rng.IntN(1_000_000_000))
			}
			pid := fmt.Sprintf("%032x", rng.Uint64())
			b.Enterprises = append(b.Enterprises, models.Enterprise{Key: key, Name: key})
			b.Roles = append(b.Roles, models.Role{Person: pid, Enterprise: key, Kind: models.RoleLegalRep})
			b.Records = append(b.Records, models.Record{ID: fmt.Sprintf("r-%x", rng.Uint64()), Subject: models.PersonRef(pid),
				Kind: models.RecordPenalty, Severity: 0.5})
			if n := len(b.Enterprises); n > 1 {
				b.Shareholdings = append(b.Shareholdings, models.Shareholding{Holder: models.EnterpriseRef(key),
					Enterprise: b.Enterprises[rng.IntN(n-1)].Key, Ratio: 0.2})
			}
		}
		if err := s.WriteBatch(ctx, b); err != nil {
			t.Fatal(err)
		}
		ents, pers, recs = s.g.nEnt, len(s.g.nodes)-s.g.nEnt, len(s.g.recs)
		for _, size := range []int{7, 1000} {
			all, _ := collectPages(t, s.projectionRows, size)
			if len(all.Enterprises) != ents || len(all.Persons) != pers || len(all.Records) != recs {
				t.Fatalf("round %d: scanned %d/%d/%d enterprises/persons/records, the store has %d/%d/%d", round,
					len(all.Enterprises), len(all.Persons), len(all.Records), ents, pers, recs)
			}
			byKey := func(k func(int) string, n int) bool {
				for i := 1; i < n; i++ {
					if k(i-1) >= k(i) {
						return false
					}
				}
				return true
			}
			if !byKey(func(i int) string { return all.Enterprises[i].Key }, ents) ||
				!byKey(func(i int) string { return all.Persons[i].PID }, pers) ||
				!byKey(func(i int) string { return all.Records[i].ID }, recs) {
				t.Errorf("round %d, page size %d: nodes are not in key order", round, size)
			}
			if !slices.IsSortedFunc(all.Shareholdings, func(a, b models.Shareholding) int { return strings.Compare(a.Holder.Key, b.Holder.Key) }) ||
				!slices.IsSortedFunc(all.Roles, func(a, b models.Role) int { return strings.Compare(a.Person, b.Person) }) {
				t.Errorf("round %d, page size %d: relationships are not grouped by start node in key order", round, size)
			}
		}
	}
}

// TestScanProjectionPagesEndBetweenNodes: a projection scan's pages end
// between two start nodes' relationships, so the start nodes of one page's
// relationships never come before the previous page's in the scan (the
// engine then builds its out-CSR without a second edge array); only a
// node with more relationships than a page is split.
func TestScanProjectionPagesEndBetweenNodes(t *testing.T) {
	s, err := Open(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b := &store.Batch{}
	rng := rand.New(rand.NewPCG(5, 6))
	key := func(i int) string { return fmt.Sprintf("src:t:%03d", i) }
	for i := range 60 {
		b.Enterprises = append(b.Enterprises, models.Enterprise{Key: key(i), Name: key(i)})
	}
	for i := range 60 {
		// Every kind of relationship from most enterprises; enterprise 7 has many.
		for k := rng.IntN(3); k > 0; k-- {
			b.Shareholdings = append(b.Shareholdings, models.Shareholding{Holder: models.EnterpriseRef(key(i)), Enterprise: key(rng.IntN(60)), Ratio: 0.1})
		}
		if rng.IntN(2) == 0 {
			b.Branches = append(b.Branches, models.Branch{Branch: key(i), Parent: key(rng.IntN(60))})
		}
		pid := fmt.Sprintf("%032x", i)
		b.Persons = append(b.Persons, models.Person{PID: pid, Name: pid})
		b.Roles = append(b.Roles, models.Role{Person: pid, Enterprise: key(i), Kind: models.RoleLegalRep})
	}
	for j := range 20 {
		b.Shareholdings = append(b.Shareholdings, models.Shareholding{Holder: models.EnterpriseRef(key(7)), Enterprise: key(30 + j), Ratio: 0.01})
	}
	if err := s.WriteBatch(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{3, 4, 7, 10} {
		// Position of each node in the scan: enterprises, then persons.
		pos := map[int32]int{}
		prevMax, split := -1, 0
		err := s.ScanProjection(context.Background(), size, func(p *store.ProjectionPage) error {
			for _, n := range append(p.EnterpriseNums, p.PersonNums...) {
				pos[n] = len(pos)
			}
			var starts []int
			for _, ends := range [][]store.Ends{p.ShareholdingEnds, p.RoleEnds, p.BranchEnds} {
				for _, e := range ends {
					starts = append(starts, pos[e.From])
				}
			}
			if len(starts) == 0 {
				return nil
			}
			lo, hi := slices.Min(starts), slices.Max(starts)
			if lo < prevMax {
				t.Errorf("page size %d: a page's relationships start at node %d, before node %d of the page before", size, lo, prevMax)
			}
			if lo == prevMax {
				split++
			}
			prevMax = hi
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if size >= 10 && split > 3 {
			t.Errorf("page size %d: %d nodes split across pages; only enterprise 7 has more rows than a page", size, split)
		}
	}
}
