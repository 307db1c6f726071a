package report

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"riskgraph/cache/lease"
	"riskgraph/cache/redistest"
	"riskgraph/engine"
	"riskgraph/ingest"
	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/memory"
	"riskgraph/synth"
)

func loadedMemory(t *testing.T, n int) *memory.Store {
	t.Helper()
	gen := filepath.Join(t.TempDir(), "gen")
	if _, err := synth.Generate(synth.GenerateOptions{Enterprises: n, Seed: 5, Out: gen}); err != nil {
		t.Fatal(err)
	}
	st, err := memory.Open(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h, _ := models.NewPIDHasher([]byte("report-test-pid-key-0123456789"))
	if _, err := ingest.LoadDir(context.Background(), gen, st, ingest.LoadOptions{Hasher: h, Source: "t",
		Now: func() time.Time { return synth.DefaultReferenceDate().Time }}); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestTwoSchedulersOneRuns: two replicas with their own Redis connections
// tick for the same due time at once; exactly one runs the job, the run
// exists once, and the lock is free afterwards. A later tick for the same
// time (a slow replica) does not run it again. On the single Redis and on
// the cluster.
func TestTwoSchedulersOneRuns(t *testing.T) {
	for _, srv := range redistest.Servers {
		t.Run(srv.Name, func(t *testing.T) {
			testTwoSchedulersOneRuns(t, func() redis.UniversalClient { return srv.Open(t).Client() })
		})
	}
}

func testTwoSchedulersOneRuns(t *testing.T, redisClient func() redis.UniversalClient) {
	key := "riskgraph:test:report-lock:" + time.Now().Format("150405.000000000")
	st := loadedMemory(t, 300)
	due := time.Date(2026, 7, 1, 7, 0, 0, 0, Shanghai())
	replica := func() *Scheduler {
		return &Scheduler{Lock: lease.New(redisClient(), key), Lease: 10 * time.Second, Log: zerolog.Nop(),
			Job: &Job{Store: st, Log: zerolog.Nop(), Engine: engine.Options{Params: engine.DefaultParams(), Today: synth.DefaultReferenceDate()},
				Now: func() time.Time { return due }}}
	}
	a, b := replica(), replica()
	var wg sync.WaitGroup
	ran := make([]bool, 2)
	errs := make([]error, 2)
	for i, s := range []*Scheduler{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ran[i], errs[i] = s.Tick(context.Background(), due)
		}()
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil || ran[0] == ran[1] {
		t.Fatalf("ran %v, errors %v; want exactly one run", ran, errs)
	}
	runs, _ := st.Runs(context.Background(), 10)
	if len(runs) != 1 || runs[0].ID != RunID(due) || runs[0].Status != store.RunCompleted {
		t.Errorf("runs %+v", runs)
	}
	if reps, _ := st.Reports(context.Background(), 10); len(reps) != 1 {
		t.Errorf("%d reports", len(reps))
	}
	if held, _ := a.Lock.Held(context.Background(), RunID(due)); held {
		t.Error("lock still held after the run")
	}
	if again, err := b.Tick(context.Background(), due); again || err != nil {
		t.Errorf("late tick ran again: %v %v", again, err)
	}
}

// TestFailedJobReleasesLock: a job that fails frees the lock and records
// nothing as published.
func TestFailedJobReleasesLock(t *testing.T) {
	st := loadedMemory(t, 100)
	lock := &lease.Local{}
	due := time.Date(2026, 7, 1, 7, 0, 0, 0, Shanghai())
	s := &Scheduler{Lock: lock, Log: zerolog.Nop(), Job: &Job{Store: st, Log: zerolog.Nop(), Against: "run-missing",
		Engine: engine.Options{Params: engine.DefaultParams(), Today: synth.DefaultReferenceDate()}}}
	ran, err := s.Tick(context.Background(), due)
	if !ran || !errors.Is(err, store.ErrNotFound) {
		t.Errorf("tick: ran %v, %v; want a failed run", ran, err)
	}
	if held, _ := lock.Held(context.Background(), RunID(due)); held {
		t.Error("a failed job kept the lock")
	}
	if reps, _ := st.Reports(context.Background(), 10); len(reps) != 0 {
		t.Errorf("%d reports from a failed job", len(reps))
	}
}

// TestLostLeaseStopsPublishing: when the fence fails (another replica took
// over), the job publishes nothing.
func TestLostLeaseStopsPublishing(t *testing.T) {
	st := loadedMemory(t, 100)
	job := &Job{Store: st, Log: zerolog.Nop(), Engine: engine.Options{Params: engine.DefaultParams(), Today: synth.DefaultReferenceDate()}}
	_, err := job.Run(context.Background(), "run-x", func(context.Context) error { return ErrLockLost })
	if !errors.Is(err, ErrLockLost) {
		t.Errorf("job with a lost lock: %v", err)
	}
	if reps, _ := st.Reports(context.Background(), 10); len(reps) != 0 {
		t.Errorf("%d reports published without the lock", len(reps))
	}
	if _, err := st.Snapshot(context.Background(), "run-x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("snapshot saved without the lock: %v", err)
	}
}
