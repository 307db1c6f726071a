package neo4j_test

import (
	"context"
	"testing"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"riskgraph/cypher"
	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/neo4j/neo4jtest"
)

// TestSettledGenerationWaitsForBatchesInFlight: a batch transaction that
// has taken its stamp (its shard locked) but not committed holds
// SettledGeneration back; once it commits, the settled generation counts
// it, while Generation read during the batch does not — the race a
// snapshot recorded at Generation would lose the batch to.
func TestSettledGenerationWaitsForBatchesInFlight(t *testing.T) {
	st := neo4jtest.Open(t)
	ctx := context.Background()
	if err := st.WriteBatch(ctx, &store.Batch{Enterprises: []models.Enterprise{{Key: "K1", Name: "甲", Status: models.StatusActive}}}); err != nil {
		t.Fatal(err)
	}
	before, err := st.SettledGeneration(ctx)
	if err != nil || before == 0 {
		t.Fatalf("settled generation after one batch: %d, %v", before, err)
	}
	d, database := neo4jtest.Driver(t)
	sess := d.NewSession(ctx, driver.SessionConfig{DatabaseName: database, AccessMode: driver.AccessModeWrite})
	defer sess.Close(ctx)
	tx, err := sess.BeginTransaction(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// What a batch runs first: bump one shard and take the stamp.
	res, err := tx.Run(ctx, cypher.MustGet("generation_stamp"), map[string]any{"id": "generation-07"})
	if err == nil {
		_, err = res.Consume(ctx)
	}
	if err != nil {
		t.Fatal(err)
	}
	if g, _ := st.Generation(ctx); g != before {
		t.Fatalf("Generation during the batch: %d, want %d (the bump is not committed)", g, before)
	}
	settled := make(chan uint64, 1)
	go func() {
		g, err := st.SettledGeneration(ctx)
		if err != nil {
			t.Error(err)
		}
		settled <- g
	}()
	select {
	case g := <-settled:
		t.Fatalf("SettledGeneration returned %d while a batch was in flight", g)
	case <-time.After(500 * time.Millisecond):
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case g := <-settled:
		if g != before+1 {
			t.Errorf("settled generation %d after the batch committed, want %d", g, before+1)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("SettledGeneration still waiting after the batch committed")
	}
}
