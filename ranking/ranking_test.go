package ranking

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"riskgraph/cache"
	"riskgraph/cache/redistest"
	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/memory"
)

// scored is a store with 40 enterprises over two provinces, three
// industries and all grades, some flagged, and one scored person.
func scored(t *testing.T, run string) *memory.Store {
	t.Helper()
	s, err := memory.Open(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	var b store.Batch
	var res []models.RiskResult
	regions := []string{"440305", "440106", "110101", "110105"}
	for i := range 40 {
		e := models.Enterprise{Key: fmt.Sprintf("src:t:%02d", i), Name: fmt.Sprintf("企业%02d", i),
			Region: regions[i%4], Industry: []string{"C13", "F51", "K70"}[i%3]}
		b.Enterprises = append(b.Enterprises, e)
		score := float64((i*37)%100) / 100
		r := models.RiskResult{Ref: e.Ref(), Risk: models.Risk{Score: score, Grade: string("ABCD"[min(int(score*4), 3)]), Run: run}}
		if i%5 == 0 {
			r.Flags = []string{"shared_address"}
		}
		res = append(res, r)
	}
	b.Persons = []models.Person{{PID: "p1", Name: "王小明"}}
	res = append(res, models.RiskResult{Ref: models.PersonRef("p1"), Risk: models.Risk{Score: 0.9, Grade: "D", Run: run, Flags: []string{"many_legal_rep"}}})
	ctx := context.Background()
	if err := s.WriteBatch(ctx, &b); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteResults(ctx, res); err != nil {
		t.Fatal(err)
	}
	if err := s.PromoteRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	return s
}

var filters = []Filter{{}, {Region: "440000"}, {Region: "440300"}, {Region: "110105"}, {Industry: "F51"},
	{Grade: "D"}, {Flag: "shared_address"}, {Region: "110000", Grade: "B"}, {Region: "440000", Industry: "C13", Flag: "shared_address"}}

func TestIndex(t *testing.T) {
	ix, err := Build(context.Background(), scored(t, "r1"))
	if err != nil {
		t.Fatal(err)
	}
	if ix.Run != "r1" || len(ix.Enterprises) != 40 || len(ix.Persons) != 1 {
		t.Fatalf("index: run %q, %d enterprises, %d persons", ix.Run, len(ix.Enterprises), len(ix.Persons))
	}
	for i := 1; i < len(ix.Enterprises); i++ {
		a, b := ix.Enterprises[i-1], ix.Enterprises[i]
		if a.Score < b.Score || (a.Score == b.Score && a.Ref.Key < b.Ref.Key) {
			t.Fatalf("not ranked at %d: %+v before %+v", i, a, b)
		}
	}
	for _, f := range filters {
		page, total := ix.Top(f, 0, 100)
		n := 0
		for _, e := range ix.Enterprises {
			if f.Match(e) {
				n++
			}
		}
		if total != n || len(page) != n {
			t.Errorf("filter %+v: total %d, page %d, want %d", f, total, len(page), n)
		}
	}
	if page, total := ix.Top(Filter{}, 35, 10); total != 40 || len(page) != 5 || page[0].Ref != ix.Enterprises[35].Ref {
		t.Errorf("last page: %d of %d", len(page), total)
	}
	if _, total := ix.Flagged("", 0, 100); total != 9 { // 8 enterprises, 1 person
		t.Errorf("flagged %d, want 9", total)
	}
	if page, total := ix.Flagged("many_legal_rep", 0, 10); total != 1 || page[0].Ref != models.PersonRef("p1") {
		t.Errorf("flagged person: %+v %d", page, total)
	}
	groups := ix.Stats("province", Filter{})
	if len(groups) != 2 || groups[0].Key != "110000" || groups[0].Count != 20 || groups[1].Key != "440000" {
		t.Fatalf("province stats: %+v", groups)
	}
	sum := 0
	for _, c := range groups[1].Grades {
		sum += c
	}
	if sum != 20 {
		t.Errorf("grades of 440000 sum to %d, want 20", sum)
	}
	// The charts follow the dashboard's filters: grouped counts of a
	// filter are the ranking's total under it.
	for _, f := range []Filter{{Region: "440000"}, {Grade: ix.Enterprises[0].Grade}, {Industry: ix.Enterprises[0].Industry, Region: "110000"}} {
		_, want := ix.Top(f, 0, 1)
		n := 0
		for _, g := range ix.Stats("province", f) {
			if f.Region != "" && g.Key != f.Region {
				t.Errorf("stats under %+v has group %s", f, g.Key)
			}
			n += g.Count
		}
		if n != want || want == 0 {
			t.Errorf("stats under %+v count %d, the ranking %d", f, n, want)
		}
	}
	if err := ValidateFilter(Filter{Region: "4403"}); err == nil {
		t.Error("a 4-digit region was accepted")
	}
}

// The sorted sets in Redis answer every filter as the in-process index
// does, page by page, and every key they use expires; on the single Redis
// and on the cluster (where a run's keys share one hash slot).
func TestPublishedAnswersMatchIndex(t *testing.T) {
	redistest.Each(t, testPublishedAnswersMatchIndex)
}

func testPublishedAnswersMatchIndex(t *testing.T, r *cache.Redis) {
	run := fmt.Sprintf("test-%d", time.Now().UnixNano())
	ix, err := Build(context.Background(), scored(t, run))
	if err != nil {
		t.Fatal(err)
	}
	c := r.Client()
	ctx := context.Background()
	if _, ok, _ := func() ([]Entry, bool, error) {
		o, _, ok, err := topRedis(ctx, c, run, Filter{}, 0, 10)
		return o, ok, err
	}(); ok {
		t.Fatal("an unpublished run answered from Redis")
	}
	if err := Publish(ctx, c, ix); err != nil {
		t.Fatal(err)
	}
	for _, f := range filters {
		for _, pg := range [][2]int{{0, 7}, {7, 7}, {0, 100}} {
			want, wantTotal := ix.Top(f, pg[0], pg[1])
			got, total, ok, err := topRedis(ctx, c, run, f, pg[0], pg[1])
			if err != nil || !ok || total != wantTotal || !reflect.DeepEqual(refs(got), refs(want)) {
				t.Errorf("filter %+v page %v: redis %v (%d, %v %v), index %v (%d)", f, pg, refs(got), total, ok, err, refs(want), wantTotal)
			}
		}
	}
	keys := redistest.Keys(t, c, rkey(run, "*"))
	if len(keys) == 0 {
		t.Fatal("no ranking keys in Redis")
	}
	for _, k := range keys {
		if ttl, _ := c.TTL(ctx, k).Result(); ttl <= 0 {
			t.Errorf("%s has no expiry (%v)", k, ttl)
		}
	}
}

func refs(es []Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Ref.Key
	}
	return out
}

type tryAlways struct{}

func (tryAlways) Try(ctx context.Context, op func(context.Context) error) error { return op(ctx) }

// The service answers from the store until the run is in Redis, publishes
// it in the background once, and frees the publish lease afterwards; on
// the single Redis and on the cluster.
func TestServicePublishesLate(t *testing.T) {
	redistest.Each(t, testServicePublishesLate)
}

func testServicePublishesLate(t *testing.T, r *cache.Redis) {
	run := fmt.Sprintf("late-%d", time.Now().UnixNano())
	c := r.Client()
	sv := NewService(scored(t, run), c, tryAlways{}, zerolog.Nop())
	ctx := context.Background()
	_, total, source, err := sv.Top(ctx, "v1", run, Filter{Grade: "D"}, 0, 5)
	if err != nil || source != "store" {
		t.Fatalf("first answer: %q %v", source, err)
	}
	for i := 0; ; i++ {
		_, n, src, err := sv.Top(ctx, "v1", run, Filter{Grade: "D"}, 0, 5)
		if err != nil {
			t.Fatal(err)
		}
		if src == "redis" {
			if n != total {
				t.Fatalf("redis total %d, store total %d", n, total)
			}
			break
		}
		if i == 200 {
			t.Fatal("the run was never published")
		}
		time.Sleep(25 * time.Millisecond)
	}
	for i := 0; ; i++ { // the lease is released once the publish returns
		if n, _ := c.Exists(ctx, rkey(run, "lock")).Result(); n == 0 {
			break
		}
		if i == 200 {
			t.Fatal("the publish lease outlived the publish")
		}
		time.Sleep(25 * time.Millisecond)
	}
}
