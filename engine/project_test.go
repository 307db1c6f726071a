package engine

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"riskgraph/models"
	"riskgraph/store"
)

// TestStrIndexKeyShapes inserts keys of many shapes (pids, enterprise keys,
// source keys, addresses), including near misses, and finds each one again
// and nothing else.
func TestStrIndexKeyShapes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	hexKey := func() string {
		const digits = "0123456789abcdef"
		var b [32]byte
		for i := range b {
			b[i] = digits[rng.IntN(16)]
		}
		return string(b[:])
	}
	keys := []string{"", "0", "00", "1", "01", "10", "a", "A", "z", "Z",
		"91330112116013321U", "91330112116013321u", "9133011211601332", "91330112116013321U0",
		strings.Repeat("9", 20), strings.Repeat("9", 21), strings.Repeat("0", 20), strings.Repeat("0", 19),
		strings.Repeat("0", 32), strings.Repeat("0", 31), strings.Repeat("f", 32), strings.Repeat("F", 32),
		strings.Repeat("g", 32), "src:scan:1", "src:scan:2", "浙江省杭州市临安区新华路1583号", "a b", "a\x00b"}
	for i := 0; i < 5000; i++ {
		keys = append(keys, hexKey(), fmt.Sprintf("9133%014d", rng.IntN(1e14)), fmt.Sprintf("E%d", i), fmt.Sprintf("addr:%d号", i))
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	x := newStrIndex()
	var stored KeyTable
	for _, k := range keys {
		id, slot, c := x.find(k, &stored)
		if id >= 0 {
			t.Fatalf("%q found as %q before it was inserted", k, stored.At(id))
		}
		x.insert(slot, c, stored.add(k))
	}
	for i, k := range keys {
		if id, ok := x.get(k, &stored); !ok || id != int32(i) {
			t.Fatalf("get(%q) = %d, %v; want %d", k, id, ok, i)
		}
	}
	for _, k := range []string{"2", "b", strings.Repeat("1", 32), strings.Repeat("A", 20), "src:scan:3", hexKey()} {
		if id, ok := x.get(k, &stored); ok {
			t.Errorf("get(%q) found %q", k, stored.At(id))
		}
	}
}

// TestOutCSR: the in-place merge (relationships already in From order) and
// the in-place counting sort (any order) both give the edges stably
// sorted by From, relationships before memberships, with their offsets.
func TestOutCSR(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 500
	var rels []Edge
	var members []member
	for v := int32(0); v < n; v++ {
		for k := rng.IntN(4); k > 0; k-- {
			rels = append(rels, Edge{From: v, To: rng.Int32N(n), Ratio: rng.Float64(), Type: EdgeHolds})
		}
	}
	for i := 0; i < 300; i++ {
		members = append(members, member{rng.Int32N(n), rng.Int32N(n), EdgeAddress + EdgeType(i%3)})
	}
	stableByFrom := func(rels []Edge) ([]Edge, []int32) {
		want := slices.Clone(rels)
		for _, m := range members {
			want = append(want, m.edge())
		}
		slices.SortStableFunc(want, func(x, y Edge) int { return cmp.Compare(x.From, y.From) })
		off := make([]int32, n+1)
		for _, e := range want {
			off[e.From+1]++
		}
		for v := 0; v < n; v++ {
			off[v+1] += off[v]
		}
		return want, off
	}
	want, wantOff := stableByFrom(rels)
	got, off := mergeOut(n, slices.Clone(rels), slices.Clone(members))
	if !slices.Equal(got, want) || !slices.Equal(off, wantOff) {
		t.Fatal("mergeOut is not the stable sort by From")
	}
	shuffled := slices.Clone(rels)
	rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	want, wantOff = stableByFrom(shuffled)
	got, off = countOut(n, shuffled, slices.Clone(members))
	if !slices.Equal(got, want) || !slices.Equal(off, wantOff) {
		t.Fatal("countOut is not the stable sort by From")
	}
}

// TestMemoryScanEdgesInOrder: from the memory store's projection scan the
// edges arrive in start node order, so finish merges in place instead of
// copying the edge array (32 bytes per edge).
func TestMemoryScanEdgesInOrder(t *testing.T) {
	gs := generated(t, 2000)
	b := newBuilder()
	if err := scanPages(context.Background(), gs.store, b); err != nil {
		t.Fatal(err)
	}
	if len(b.g.Edges) < 4000 || !sortedByFrom(b.g.Edges) {
		t.Fatalf("%d edges, in start node order: %v", len(b.g.Edges), sortedByFrom(b.g.Edges))
	}
}

// reorderedScanner hands on the pages of a store's scan with each
// relationship page's rows reversed, so relationships are not in start
// node order.
type reorderedScanner struct{ s store.Scanner }

func (r reorderedScanner) Scan(ctx context.Context, size int, fn func(*store.Batch) error) error {
	return r.s.Scan(ctx, size, func(b *store.Batch) error {
		slices.Reverse(b.Shareholdings)
		slices.Reverse(b.Roles)
		slices.Reverse(b.Branches)
		return fn(b)
	})
}

// TestProjectAnyRelationshipOrder: a scan whose relationships do not come
// in start node order (the counting-sort path) gives the same CSR graph as
// the store's own order (the in-place merge), up to the order of each
// node's edges.
func TestProjectAnyRelationshipOrder(t *testing.T) {
	gs := generated(t, 2000)
	want := gs.graph
	got, err := Project(context.Background(), reorderedScanner{gs.store})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Keys.Strings(), want.Keys.Strings()) || !slices.Equal(got.OutOff, want.OutOff) || !slices.Equal(got.InOff, want.InOff) {
		t.Fatal("node keys or CSR offsets differ")
	}
	// Titles are interned in the order met: compare them by name.
	title := make([]uint8, len(got.Titles))
	for i, name := range got.Titles {
		title[i] = uint8(slices.Index(want.Titles, name))
	}
	byEdge := func(a, b Edge) int {
		return cmp.Or(cmp.Compare(a.To, b.To), cmp.Compare(a.Type, b.Type), cmp.Compare(a.Title, b.Title),
			cmp.Compare(a.Since, b.Since), cmp.Compare(a.Until, b.Until), cmp.Compare(a.Ratio, b.Ratio))
	}
	for v := int32(0); v < int32(want.N()); v++ {
		a, b := slices.Clone(got.Out(v)), slices.Clone(want.Out(v))
		for i := range a {
			a[i].Title = title[a[i].Title]
		}
		slices.SortFunc(a, byEdge)
		slices.SortFunc(b, byEdge)
		if !slices.Equal(a, b) {
			t.Fatalf("out-edges of %s differ:\n%+v\n%+v", want.Keys.At(v), a, b)
		}
		for _, ei := range got.InEdges(v) {
			if got.Edges[ei].To != v {
				t.Fatalf("in-edge %d of %s points to %d", ei, want.Keys.At(v), got.Edges[ei].To)
			}
		}
	}
}

// plainScanner hides every scan of s but Scan, so Project takes the path
// that resolves endpoints by key.
type plainScanner struct{ s store.Scanner }

func (p plainScanner) Scan(ctx context.Context, size int, fn func(*store.Batch) error) error {
	return p.s.Scan(ctx, size, fn)
}

// numberingScanner turns a plain scan into a projection scan, numbering
// nodes as a backend may: sparsely (3n+5), leaving out every skip-th
// number (NoNumber), numbering no listed node (only endpoints: as if every
// node were created during the scan), or giving numbers beyond the
// contract's density bound.
type numberingScanner struct {
	s                  store.Scanner
	skip               int
	unlisted, tooLarge bool
	sizes              store.ScanSizes // given on every page
}

func (ns numberingScanner) ScanProjection(ctx context.Context, size int, fn func(*store.ProjectionPage) error) error {
	nums := map[models.Ref]int32{}
	calls := 0
	number := func(r models.Ref) int32 {
		calls++
		if ns.skip > 0 && calls%ns.skip == 0 {
			return store.NoNumber
		}
		n, ok := nums[r]
		if !ok {
			n = int32(3*len(nums) + 5)
			if ns.tooLarge && len(nums)%2 == 1 {
				n = 1<<31 - 2 - int32(len(nums))
			}
			nums[r] = n
		}
		return n
	}
	listed := func(r models.Ref) int32 {
		if ns.unlisted {
			return store.NoNumber
		}
		return number(r)
	}
	return ns.s.Scan(ctx, size, func(b *store.Batch) error {
		p := &store.ProjectionPage{Batch: *b, Sizes: ns.sizes}
		for _, e := range b.Enterprises {
			p.EnterpriseNums = append(p.EnterpriseNums, listed(e.Ref()))
		}
		for _, x := range b.Persons {
			p.PersonNums = append(p.PersonNums, listed(x.Ref()))
		}
		for _, r := range b.Records {
			p.RecordSubjects = append(p.RecordSubjects, number(r.Subject))
		}
		for _, x := range b.Shareholdings {
			p.ShareholdingEnds = append(p.ShareholdingEnds, store.Ends{From: number(x.Holder), To: number(models.EnterpriseRef(x.Enterprise))})
		}
		for _, x := range b.Roles {
			p.RoleEnds = append(p.RoleEnds, store.Ends{From: number(models.PersonRef(x.Person)), To: number(models.EnterpriseRef(x.Enterprise))})
		}
		for _, x := range b.Branches {
			p.BranchEnds = append(p.BranchEnds, store.Ends{From: number(models.EnterpriseRef(x.Branch)), To: number(models.EnterpriseRef(x.Parent))})
		}
		return fn(p)
	})
}

// Scan is there to make numberingScanner a store.Scanner; Project prefers ScanProjection.
func (ns numberingScanner) Scan(ctx context.Context, size int, fn func(*store.Batch) error) error {
	return ns.s.Scan(ctx, size, fn)
}

// sameProjection fails unless got and want are the same graph, node for
// node and edge for edge.
func sameProjection(t *testing.T, got, want *Graph) {
	t.Helper()
	type part struct {
		name string
		a, b any
	}
	for _, p := range []part{
		{"kinds", got.Kinds, want.Kinds}, {"keys", got.Keys.Strings(), want.Keys.Strings()},
		{"counts", [2]int{got.NumEnterprises, got.NumPersons}, [2]int{want.NumEnterprises, want.NumPersons}},
		{"status", got.Status, want.Status}, {"established", got.Established, want.Established},
		{"region", got.Region, want.Region}, {"industry", got.Industry, want.Industry}, {"entKind", got.EntKind, want.EntKind},
		{"tables", [][]string{got.Regions, got.Industries, got.Titles, got.RecordKinds}, [][]string{want.Regions, want.Industries, want.Titles, want.RecordKinds}},
		{"edges", got.Edges, want.Edges}, {"outOff", got.OutOff, want.OutOff}, {"inOff", got.InOff, want.InOff}, {"in", got.In, want.In},
		{"records", got.Records, want.Records}, {"recordIDs", got.RecordIDs.Strings(), want.RecordIDs.Strings()},
		{"recOff", got.RecOff, want.RecOff}, {"recIdx", got.RecIdx, want.RecIdx},
	} {
		if !reflect.DeepEqual(p.a, p.b) {
			t.Errorf("%s differ", p.name)
		}
	}
	for v, k := range want.Keys.Strings() {
		if want.Kinds[v] != NodeEnterprise && want.Kinds[v] != NodePerson {
			continue
		}
		ref := models.EnterpriseRef(k)
		if want.Kinds[v] == NodePerson {
			ref = models.PersonRef(k)
		}
		if id, ok := got.Lookup(ref); !ok || id != int32(v) {
			t.Fatalf("%s: id %d, %v; want %d", ref, id, ok, v)
		}
	}
}

// TestProjectByNumbers: a projection scan's node numbers give the graph the
// keys give, however the numbers are spread, and when some are missing,
// beyond the density bound, or met only at relationship ends.
func TestProjectByNumbers(t *testing.T) {
	gs := generated(t, 2000)
	ctx := context.Background()
	want, err := Project(ctx, plainScanner{gs.store})
	if err != nil {
		t.Fatal(err)
	}
	if want.NumEnterprises < 2000 || len(want.Edges) < 4000 {
		t.Fatalf("generated graph too small: %d enterprises, %d edges", want.NumEnterprises, len(want.Edges))
	}
	for name, ns := range map[string]numberingScanner{
		"dense":     {},
		"gaps":      {skip: 7},
		"unlisted":  {unlisted: true},
		"too large": {tooLarge: true},
		// Sizes are estimates: too small or too large, the graph is the same.
		"sizes too small": {sizes: store.ScanSizes{Enterprises: 10, Persons: 3, Relationships: 7}},
		"sizes too large": {sizes: store.ScanSizes{Enterprises: 50_000, Persons: 90_000, Relationships: 300_000}},
	} {
		t.Run(name, func(t *testing.T) {
			ns.s = plainScanner{gs.store}
			got, err := Project(ctx, ns)
			if err != nil {
				t.Fatal(err)
			}
			sameProjection(t, got, want)
		})
	}
	// The store's own projection scan, when it has one, agrees too.
	got, err := Project(ctx, gs.store)
	if err != nil {
		t.Fatal(err)
	}
	sameProjection(t, got, want)
}

// TestNumbersBoundBySizes: a node number far above the nodes seen so far
// is used when the scan's sizes allow it (a backend's numbers for a large
// graph, from the first page on), and ignored without sizes, where the
// node is found by key instead.
func TestNumbersBoundBySizes(t *testing.T) {
	const far = 3_000_000 // beyond 2^21, within 4 × 1 M
	page := func(sizes store.ScanSizes) *store.ProjectionPage {
		return &store.ProjectionPage{Batch: store.Batch{Enterprises: []models.Enterprise{{Key: "src:t:1"}}},
			EnterpriseNums: []int32{far}, Sizes: sizes}
	}
	b := newBuilder()
	b.page(page(store.ScanSizes{Enterprises: 1_000_000}))
	if id := b.byNumber(far); id != 0 {
		t.Errorf("with sizes, number %d maps to %d, want the enterprise (0)", far, id)
	}
	b = newBuilder()
	b.page(page(store.ScanSizes{}))
	if id := b.byNumber(far); id != -1 {
		t.Errorf("without sizes, number %d maps to %d, want it ignored", far, id)
	}
}
