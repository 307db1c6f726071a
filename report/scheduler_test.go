package report

import (
	"context"
	"errors"
	"path/filepath"
	"riskgraph/cache/redistest"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"riskgraph/engine"
	"riskgraph/ingest"
	"riskgraph/models"
	"riskgraph/report/redislock"
	"riskgraph/store"
	"riskgraph/store/memory"
)

// redisClient opens the shared test Redis (see cache/redistest).
func redisClient(t *testing.T) redis.UniversalClient { return redistest.Open(t).Client() }

func loadedMemory(t *testing.T, n int) *memory.Store {
	t.Helper()
	gen := filepath.Join(t.TempDir(), "gen")
	if _, err := ingest.Generate(ingest.GenerateOptions{Enterprises: n, Seed: 5, Out: gen}); err != nil {
		t.Fatal(err)
	}
	st, err := memory.Open(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h, _ := models.NewPIDHasher([]byte("report-test-pid-key-0123456789"))
	if _, err := ingest.LoadDir(context.Background(), gen, st, ingest.LoadOptions{Hasher: h, Source: "t",
		Now: func() time.Time { return ingest.DefaultReferenceDate().Time }}); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestTwoSchedulersOneRuns: two replicas with their own Redis connections
// tick for the same due time at once; exactly one runs the job, the run
// exists once, and the lock is free afterwards. A later tick for the same
// time (a slow replica) does not run it again.
func TestTwoSchedulersOneRuns(t *testing.T) {
	key := "riskgraph:test:report-lock:" + time.Now().Format("150405.000000000")
	st := loadedMemory(t, 300)
	due := time.Date(2026, 7, 1, 7, 0, 0, 0, Shanghai())
	replica := func() *Scheduler {
		return &Scheduler{Lock: redislock.New(redisClient(t), key), Lease: 10 * time.Second, Log: zerolog.Nop(),
			Job: &Job{Store: st, Log: zerolog.Nop(), Engine: engine.Options{Params: engine.DefaultParams(), Today: ingest.DefaultReferenceDate()},
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

// TestLockLeaseExpires: a holder that stops renewing loses the lock; the
// next holder gets it; the old holder can neither renew nor release it.
func TestLockLeaseExpires(t *testing.T) {
	c := redisClient(t)
	l := redislock.New(c, "riskgraph:test:lease:"+time.Now().Format("150405.000000000"))
	ctx := context.Background()
	if ok, err := l.Acquire(ctx, "run-a", 300*time.Millisecond); !ok || err != nil {
		t.Fatalf("acquire: %v %v", ok, err)
	}
	if ok, _ := l.Acquire(ctx, "run-b", time.Minute); ok {
		t.Fatal("second holder while the lease runs")
	}
	// Wait for the lease to lapse (polling, no timing assertion).
	for i := 0; ; i++ {
		if ok, _ := l.Acquire(ctx, "run-b", time.Minute); ok {
			break
		}
		if i == 200 {
			t.Fatal("the lease never expired")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if ok, _ := l.Renew(ctx, "run-a", time.Minute); ok {
		t.Error("the expired holder renewed")
	}
	if err := l.Release(ctx, "run-a"); err != nil {
		t.Fatal(err)
	}
	if held, _ := l.Held(ctx, "run-b"); !held {
		t.Error("the old holder's release freed the new holder's lock")
	}
	if err := l.Release(ctx, "run-b"); err != nil {
		t.Fatal(err)
	}
	if held, _ := l.Held(ctx, "run-b"); held {
		t.Error("release did not free the lock")
	}
}

// TestFailedJobReleasesLock: a job that fails frees the lock and records
// nothing as published.
func TestFailedJobReleasesLock(t *testing.T) {
	st := loadedMemory(t, 100)
	lock := &LocalLock{}
	due := time.Date(2026, 7, 1, 7, 0, 0, 0, Shanghai())
	s := &Scheduler{Lock: lock, Log: zerolog.Nop(), Job: &Job{Store: st, Log: zerolog.Nop(), Against: "run-missing",
		Engine: engine.Options{Params: engine.DefaultParams(), Today: ingest.DefaultReferenceDate()}}}
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
	job := &Job{Store: st, Log: zerolog.Nop(), Engine: engine.Options{Params: engine.DefaultParams(), Today: ingest.DefaultReferenceDate()}}
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
