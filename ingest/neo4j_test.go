package ingest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"riskgraph/ingest/reader"
	"riskgraph/store"
	rgneo4j "riskgraph/store/neo4j"
	"riskgraph/store/neo4j/neo4jtest"
)

// TestNeo4jClosedMidLoadResumes loads into a real Neo4j and closes the
// store (its driver) after a few acknowledged batches, as when the server
// goes away in the middle of a load: the load stops with a checkpoint, and
// the same load on a new connection continues from it and completes.
// Skipped without a server unless CI=true.
func TestNeo4jClosedMidLoadResumes(t *testing.T) {
	first := neo4jtest.Open(t)
	smp := generated(t, 300)
	ins, err := reader.Expand([]string{smp.dir})
	if err != nil {
		t.Fatal(err)
	}
	opts := testOptions(t)
	opts.BatchSize = 200
	opts.Checkpoint = filepath.Join(t.TempDir(), "ck.json")
	var once sync.Once
	batches := 0
	opts.OnBatch = func(BatchDone) {
		batches++
		if batches == 5 {
			once.Do(func() { first.Close() })
		}
	}
	sum, err := Load(context.Background(), ins, first, opts)
	if !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("first run: %v (%+v)", err, sum.Total)
	}
	if _, err := os.Stat(opts.Checkpoint); err != nil {
		t.Fatalf("no checkpoint: %v", err)
	}
	second, err := rgneo4j.Open(context.Background(), neo4jtest.Options(t))
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	opts.OnBatch = nil
	sum2, err := Load(context.Background(), ins, second, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !sum2.Resumed || sum2.Total.Skipped == 0 {
		t.Errorf("did not resume: %+v", sum2.Total)
	}
	all := scanAll(t, second)
	rows := smp.gt.Rows
	want := [6]int{rows["enterprises.csv"], rows["persons.csv"], rows["shareholdings.csv"],
		rows["legal_reps.csv"] + rows["officers.csv"], rows["branches.csv"], rows["records.csv"]}
	if got := counts(all); got != want {
		t.Errorf("Neo4j holds %v, files have %v", got, want)
	}
}
