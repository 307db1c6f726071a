package neo4j_test

import (
	"context"
	"sync"
	"testing"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"riskgraph/cypher"
	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/neo4j/neo4jtest"
)

// batchInFlight is what a batch does, statement by statement, so a test
// can hold it between any two steps: allocate a stamp (its own
// transaction), open the batch's transaction, claim the stamp, write an
// enterprise stamped with it.
type batchInFlight struct {
	t     *testing.T
	ctx   context.Context
	sess  driver.SessionWithContext
	tx    driver.ExplicitTransaction
	stamp int64
}

func run(t *testing.T, ctx context.Context, r interface {
	Run(context.Context, string, map[string]any) (driver.ResultWithContext, error)
}, name string, params map[string]any) *driver.Record {
	t.Helper()
	res, err := r.Run(ctx, cypher.MustGet(name), params)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	rec, err := res.Single(ctx)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return rec
}

// allocate takes a stamp, open, with the given lease, in its own
// transaction, as the store does before a batch.
func allocate(t *testing.T, d driver.DriverWithContext, database string, lease time.Duration) int64 {
	t.Helper()
	ctx := context.Background()
	sess := d.NewSession(ctx, driver.SessionConfig{DatabaseName: database, AccessMode: driver.AccessModeWrite})
	defer sess.Close(ctx)
	tx, err := sess.BeginTransaction(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rec := run(t, ctx, tx, "generation_next", map[string]any{"state": "open", "lease": lease.Milliseconds()})
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	return rec.Values[0].(int64)
}

// begin opens the batch's transaction and claims stamp in it; it reports
// whether the claim was the batch's (false: the stamp was abandoned).
func begin(t *testing.T, d driver.DriverWithContext, database string, stamp int64, key string) (*batchInFlight, bool) {
	t.Helper()
	ctx := context.Background()
	b := &batchInFlight{t: t, ctx: ctx, stamp: stamp,
		sess: d.NewSession(ctx, driver.SessionConfig{DatabaseName: database, AccessMode: driver.AccessModeWrite})}
	t.Cleanup(func() { b.sess.Close(ctx) })
	var err error
	if b.tx, err = b.sess.BeginTransaction(ctx); err != nil {
		t.Fatal(err)
	}
	if mine, _ := run(t, ctx, b.tx, "generation_claim", map[string]any{"gen": stamp}).Values[0].(bool); !mine {
		_ = b.tx.Rollback(ctx)
		return b, false
	}
	res, err := b.tx.Run(ctx, cypher.MustGet("enterprise_placeholder"), map[string]any{"gen": stamp,
		"rows": []any{map[string]any{"key": key, "uscc": nil, "name": key, "kind": nil, "status": nil, "capital": nil,
			"currency": nil, "established": nil, "region": nil, "industry": nil, "address": nil, "phone": nil, "email": nil}}})
	if err == nil {
		_, err = res.Consume(ctx)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b, true
}

func (b *batchInFlight) commit() {
	b.t.Helper()
	if err := b.tx.Commit(b.ctx); err != nil {
		b.t.Fatal(err)
	}
}

func generations(t *testing.T, st store.Store) (gen, settled uint64) {
	t.Helper()
	ctx := context.Background()
	gen, err := st.Generation(ctx)
	if err == nil {
		settled, err = st.SettledGeneration(ctx)
	}
	if err != nil {
		t.Fatal(err)
	}
	return gen, settled
}

// TestSettledGenerationWaitsForBatchesInFlight: a batch that has taken its
// stamp but not committed holds Generation and SettledGeneration back —
// neither may report a stamp whose writes are not visible — and once it
// commits both count it. With two batches in flight the one with the
// higher stamp committing first must not move the generation past the
// lower one: the watermark waits for the lower stamp, whatever the order
// of commits.
func TestSettledGenerationWaitsForBatchesInFlight(t *testing.T) {
	st := neo4jtest.Open(t)
	ctx := context.Background()
	if err := st.WriteBatch(ctx, &store.Batch{Enterprises: []models.Enterprise{{Key: "K1", Name: "甲", Status: models.StatusActive}}}); err != nil {
		t.Fatal(err)
	}
	before, settled := generations(t, st)
	if before == 0 || settled != before {
		t.Fatalf("after one batch: generation %d, settled %d", before, settled)
	}
	d, database := neo4jtest.Driver(t)

	s1 := allocate(t, d, database, time.Minute)
	if g, s := generations(t, st); g != before || s != before {
		t.Fatalf("stamp %d allocated, not committed: generation %d, settled %d, want %d", s1, g, s, before)
	}
	b1, ok := begin(t, d, database, s1, "E1")
	if !ok {
		t.Fatal("claim of a fresh stamp failed")
	}
	s2 := allocate(t, d, database, time.Minute)
	b2, ok := begin(t, d, database, s2, "E2")
	if !ok {
		t.Fatal("claim of a fresh stamp failed")
	}
	if s1 != int64(before)+1 || s2 != s1+1 {
		t.Fatalf("stamps %d, %d after generation %d", s1, s2, before)
	}
	b2.commit()
	if g, s := generations(t, st); g != before || s != before {
		t.Fatalf("stamp %d committed, %d in flight: generation %d, settled %d, want %d", s2, s1, g, s, before)
	}
	// Every write stamped ≤ the generation is visible: the feed since
	// before is empty of E1 while it is in flight.
	if ch, err := st.Changes(ctx, before, 100); err != nil {
		t.Fatal(err)
	} else {
		for _, e := range ch.Enterprises {
			if e.Key == "E1" {
				t.Fatal("E1 in the change feed before its batch committed")
			}
		}
	}
	b1.commit()
	if g, s := generations(t, st); g != uint64(s2) || s != uint64(s2) {
		t.Fatalf("both committed: generation %d, settled %d, want %d", g, s, s2)
	}
	ch, err := st.Changes(ctx, before, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Enterprises) != 2 {
		t.Fatalf("changes since %d: %d enterprises, want E1 and E2", before, len(ch.Enterprises))
	}
}

// TestGenerationAfterWriterDied: a writer that allocated a stamp and died
// before committing holds the generation back only until the stamp's
// lease expires; then SettledGeneration abandons it and counts the batches
// committed after it. Generation never waits for a batch in flight, even
// one whose lease has expired. A claimed stamp is never abandoned, however
// old; a batch that claims its stamp after it was abandoned gets nothing,
// so a stamp already counted cannot become visible later.
func TestGenerationAfterWriterDied(t *testing.T) {
	st := neo4jtest.Open(t)
	ctx := context.Background()
	d, database := neo4jtest.Driver(t)

	dead := allocate(t, d, database, 300*time.Millisecond) // its writer is gone
	slow := allocate(t, d, database, 300*time.Millisecond) // claimed, then slow
	b, ok := begin(t, d, database, slow, "SLOW")
	if !ok {
		t.Fatal("claim of a fresh stamp failed")
	}
	if err := st.WriteBatch(ctx, &store.Batch{Enterprises: []models.Enterprise{{Key: "K1", Name: "甲", Status: models.StatusActive}}}); err != nil {
		t.Fatal(err)
	}
	if g, err := st.Generation(ctx); err != nil || g != uint64(dead)-1 {
		t.Fatalf("generation %d, %v with stamp %d open, want %d", g, err, dead, dead-1)
	}
	time.Sleep(time.Second) // both leases expire

	quick, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if g, err := st.Generation(quick); err != nil || g != uint64(dead)-1 {
		t.Fatalf("generation %d, %v with the slow batch in flight, want %d at once", g, err, dead-1)
	}
	var wg sync.WaitGroup
	var settled uint64
	wg.Add(1)
	go func() {
		defer wg.Done()
		var err error
		if settled, err = st.SettledGeneration(ctx); err != nil {
			t.Error(err)
		}
	}()
	time.Sleep(500 * time.Millisecond)
	b.commit()
	wg.Wait()
	if settled != uint64(slow)+1 {
		t.Fatalf("settled generation %d once the dead stamp %d expired and the slow one %d committed, want %d",
			settled, dead, slow, slow+1)
	}
	if g, err := st.Generation(ctx); err != nil || g != settled {
		t.Fatalf("generation %d, %v after settling at %d", g, err, settled)
	}
	// The dead writer comes back: its claim must fail.
	if _, ok := begin(t, d, database, dead, "LATE"); ok {
		t.Fatal("a stamp abandoned after its lease could still be claimed")
	}
	if _, err := st.Enterprise(ctx, "LATE"); err == nil {
		t.Fatal("the late batch's write is visible")
	}
}
