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

// neo4jLoad returns an emptied Neo4j store, a generated sample, its inputs
// and load options with small batches and a checkpoint.
func neo4jLoad(t *testing.T) (*rgneo4j.Store, *sample, []reader.Input, LoadOptions) {
	st := neo4jtest.Open(t)
	smp := generated(t, 300)
	ins, err := reader.Expand([]string{smp.dir})
	if err != nil {
		t.Fatal(err)
	}
	opts := testOptions(t)
	opts.BatchSize = 200
	opts.Checkpoint = filepath.Join(t.TempDir(), "ck.json")
	return st, smp, ins, opts
}

// TestNeo4jClosedMidLoadResumes loads into a real Neo4j and closes the
// store (its driver) after a few acknowledged batches, as when the server
// goes away in the middle of a load: the load stops with a checkpoint, and
// the same load on a new connection continues from it and completes.
// Skipped without a server unless CI=true.
func TestNeo4jClosedMidLoadResumes(t *testing.T) {
	first, smp, ins, opts := neo4jLoad(t)
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
	want := fileCounts(smp.gt)
	if got := counts(all); got != want {
		t.Errorf("Neo4j holds %v, files have %v", got, want)
	}
}

// TestNeo4jRestartedMidLoad restarts the real server with the project's
// scripts (scripts/neo4j-down.sh, scripts/neo4j-up.sh) after a few
// acknowledged batches. The load either rides out the restart (the
// driver retries its transactions) and finishes, or stops with a
// checkpoint from which the same load finishes; either way the store ends
// up holding exactly the files' rows.
func TestNeo4jRestartedMidLoad(t *testing.T) {
	st, smp, ins, opts := neo4jLoad(t)
	opts.InFlight = 1
	paused, resume := make(chan struct{}), make(chan struct{})
	batches := 0
	opts.OnBatch = func(BatchDone) {
		if batches++; batches == 3 {
			close(paused)
			<-resume // the server is stopped while this writer waits
		}
	}
	type result struct {
		sum LoadSummary
		err error
	}
	done := make(chan result, 1)
	go func() {
		sum, err := Load(context.Background(), ins, st, opts)
		done <- result{sum, err}
	}()
	select {
	case <-paused:
	case r := <-done:
		t.Fatalf("the load ended before its third batch: %+v, %v", r.sum.Total, r.err)
	}
	neo4jtest.StopServer(t)
	close(resume) // later batches meet a stopped server
	neo4jtest.StartServer(t)
	r := <-done
	rows := smp.gt.Rows
	total := int64(0)
	for _, n := range rows {
		total += int64(n)
	}
	var final *rgneo4j.Store
	switch {
	case r.err == nil:
		t.Logf("the load rode out the restart: %+v", r.sum.Total)
		if r.sum.Total.Accepted != total {
			t.Errorf("accepted %d of %d rows", r.sum.Total.Accepted, total)
		}
		final = st
	case errors.Is(r.err, store.ErrUnavailable):
		t.Logf("the load stopped at the restart (%v); running it again", r.err)
		if _, err := os.Stat(opts.Checkpoint); err != nil {
			t.Fatalf("no checkpoint after the stop: %v", err)
		}
		var err error
		if final, err = rgneo4j.Open(context.Background(), neo4jtest.Options(t)); err != nil {
			t.Fatal(err)
		}
		defer final.Close()
		opts.OnBatch = nil
		sum, err := Load(context.Background(), ins, final, opts)
		if err != nil {
			t.Fatalf("the second run: %v", err)
		}
		if !sum.Resumed || sum.Total.Skipped == 0 {
			t.Errorf("the second run did not resume: %+v", sum.Total)
		}
	default:
		t.Fatalf("the load failed with %v, want success or store.ErrUnavailable", r.err)
	}
	want := fileCounts(smp.gt)
	if got := counts(scanAll(t, final)); got != want {
		t.Errorf("Neo4j holds %v, files have %v", got, want)
	}
}
