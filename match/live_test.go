package match

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/memory"
)

func openMemory(t *testing.T) *memory.Store {
	t.Helper()
	s, err := memory.Open(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// top returns the key of q's first candidate and whether it matched.
func top(t *testing.T, l *Live, q Query) (string, bool, Candidate) {
	t.Helper()
	got, err := l.Match(q, 5)
	if err != nil {
		t.Fatalf("%+v: %v", q, err)
	}
	if len(got) == 0 {
		return "", false, Candidate{}
	}
	return got[0].Key, got[0].Match, got[0]
}

// TestLiveAppliesWrites: a batch written through Live is visible to the
// next query without a rebuild — new enterprises, a renamed one, a legal
// representative from a role of a later batch — and a write that bypassed
// Live makes Current rebuild.
func TestLiveAppliesWrites(t *testing.T) {
	ctx := context.Background()
	s := openMemory(t)
	if err := s.WriteBatch(ctx, &store.Batch{Enterprises: []models.Enterprise{{Key: "k-a", Name: "吉安市汇骏实业有限公司", Region: "360802", Phone: "0796-8225123"}}}); err != nil {
		t.Fatal(err)
	}
	l := NewLive(nil, 0)
	if got, _, _ := top(t, l, Query{Name: "汇骏实业"}); got != "" {
		t.Fatalf("a Live without index answered %q", got)
	}
	gen, err := l.Current(ctx, s)
	if err != nil || gen != 1 || l.Builds() != 1 {
		t.Fatalf("first Current: gen %d, %d builds, %v", gen, l.Builds(), err)
	}
	write := func(b *store.Batch) {
		t.Helper()
		if err := l.Write(ctx, s, b); err != nil {
			t.Fatal(err)
		}
		g, err := l.Current(ctx, s)
		sg, _ := s.Generation(ctx)
		if err != nil || g != sg {
			t.Fatalf("after a write: Live at %d, store at %d (%v)", g, sg, err)
		}
	}
	// A new enterprise.
	write(&store.Batch{Enterprises: []models.Enterprise{{Key: "k-b", Name: "南昌市远景贸易有限公司", Region: "360102"}}})
	if k, m, _ := top(t, l, Query{Name: "南昌远景贸易有限公司"}); k != "k-b" || !m {
		t.Errorf("new enterprise: top %q match %v", k, m)
	}
	// A replaced one: renamed, its phone changed; the old name and phone
	// no longer lead to it.
	write(&store.Batch{Enterprises: []models.Enterprise{{Key: "k-a", Name: "吉安市恒信科技有限公司", Region: "360802", Phone: "0796-8000000"}}})
	if k, m, _ := top(t, l, Query{Name: "吉安恒信科技有限公司"}); k != "k-a" || !m {
		t.Errorf("renamed: top %q match %v", k, m)
	}
	if k, m, _ := top(t, l, Query{Name: "吉安市汇骏实业有限公司"}); k == "k-a" && m {
		t.Error("the old name still matches")
	}
	if got, _ := l.Match(Query{Phone: "0796-8225123"}, 5); len(got) != 0 {
		t.Errorf("the old phone still finds %+v", got)
	}
	if k, _, _ := top(t, l, Query{Phone: "07968000000"}); k != "k-a" {
		t.Errorf("new phone: top %q", k)
	}
	// A person, then (in a later batch) the role that makes them legal
	// representative: the name query with legal_rep sees it; the person
	// query by name and enterprise finds the person.
	write(&store.Batch{Persons: []models.Person{{PID: "pid-1", Name: "王小明"}}})
	write(&store.Batch{Roles: []models.Role{{Person: "pid-1", Enterprise: "k-b", Kind: models.RoleLegalRep}}})
	if k, _, c := top(t, l, Query{Name: "远景贸易", LegalRep: "王小明"}); k != "k-b" || c.Features.Map()["legal_rep"] != 1 {
		t.Errorf("legal rep: top %q %+v", k, c.Features.Map())
	}
	if k, m, _ := top(t, l, Query{Kind: KindPerson, Name: "王小明", Enterprise: "南昌市远景贸易有限公司"}); k != "pid-1" || !m {
		t.Errorf("person: top %q match %v", k, m)
	}
	// The role ends: the enterprise has no legal representative any more.
	write(&store.Batch{Roles: []models.Role{{Person: "pid-1", Enterprise: "k-b", Kind: models.RoleLegalRep, Until: models.NewDate(2024, 1, 1)}}})
	if _, _, c := top(t, l, Query{Name: "远景贸易", LegalRep: "王小明"}); c.Features.LegalRep != nil {
		t.Errorf("an ended legal representative still compared: %+v", c.Features.Map())
	}
	if l.Builds() != 1 {
		t.Errorf("%d builds after writes through Live, want 1", l.Builds())
	}
	// A write that bypassed Live: Current rebuilds and sees it.
	if err := s.WriteBatch(ctx, &store.Batch{Enterprises: []models.Enterprise{{Key: "k-c", Name: "上海浦东星河物流有限公司", Region: "310115"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Current(ctx, s); err != nil || l.Builds() != 2 {
		t.Fatalf("after a foreign write: %d builds (want 2), %v", l.Builds(), err)
	}
	if k, m, _ := top(t, l, Query{Name: "上海浦东星河物流有限公司"}); k != "k-c" || !m {
		t.Errorf("foreign write: top %q match %v", k, m)
	}
	// A failed write is not applied.
	if err := l.Write(ctx, s, &store.Batch{Enterprises: []models.Enterprise{{Key: "", Name: "无键公司"}}}); err == nil {
		t.Fatal("a batch with an empty key was accepted")
	}
	if _, err := l.Current(ctx, s); err != nil || l.Builds() != 2 {
		t.Errorf("after a refused write: %d builds, %v", l.Builds(), err)
	}
}

// TestLiveConcurrent writes through Live from several goroutines while
// others query and a foreign write forces a rebuild in the middle (run
// with -race): afterwards every enterprise written is found, and Live is
// current without another rebuild.
func TestLiveConcurrent(t *testing.T) {
	ctx := context.Background()
	s := openMemory(t)
	l := NewLive(nil, 0)
	if _, err := l.Current(ctx, s); err != nil {
		t.Fatal(err)
	}
	const writers, perWriter = 4, 25
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				key := fmt.Sprintf("k-%d-%d", w, i)
				name := fmt.Sprintf("吉安市%s%s实业有限公司", string(rune('甲'+w)), string(rune('子'+i)))
				if err := l.Write(ctx, s, &store.Batch{Enterprises: []models.Enterprise{{Key: key, Name: name, Region: "360802"}}}); err != nil {
					t.Error(err)
					return
				}
				if w == 0 && i == perWriter/2 {
					// Another writer on the same store.
					if err := s.WriteBatch(ctx, &store.Batch{Enterprises: []models.Enterprise{{Key: "k-foreign", Name: "南昌市外来贸易有限公司"}}}); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	var readers sync.WaitGroup
	for range 2 {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := l.Current(ctx, s); err != nil {
					t.Error(err)
					return
				}
				if _, err := l.Match(Query{Name: "吉安甲子实业"}, 5); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	if _, err := l.Current(ctx, s); err != nil {
		t.Fatal(err)
	}
	builds := l.Builds()
	if builds < 2 {
		t.Errorf("%d builds: the foreign write was not noticed", builds)
	}
	if _, err := l.Current(ctx, s); err != nil || l.Builds() != builds {
		t.Errorf("Current rebuilt again with no write (%d → %d builds, %v)", builds, l.Builds(), err)
	}
	sg, _ := s.Generation(ctx)
	if l.Generation() != sg {
		t.Errorf("Live at generation %d, store at %d", l.Generation(), sg)
	}
	for w := range writers {
		for i := range perWriter {
			name := fmt.Sprintf("吉安市%s%s实业有限公司", string(rune('甲'+w)), string(rune('子'+i)))
			if k, m, _ := top(t, l, Query{Name: name}); k != fmt.Sprintf("k-%d-%d", w, i) || !m {
				t.Errorf("%s: top %q match %v", name, k, m)
			}
		}
	}
	if k, _, _ := top(t, l, Query{Name: "南昌市外来贸易有限公司"}); k != "k-foreign" {
		t.Errorf("the foreign enterprise: top %q", k)
	}
}
