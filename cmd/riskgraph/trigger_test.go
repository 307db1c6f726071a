package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"riskgraph/cache/redistest"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"riskgraph/cache"
	"riskgraph/cache/lease"
	"riskgraph/engine"
	"riskgraph/ingest"
	"riskgraph/models"
	"riskgraph/server"
	"riskgraph/store"
	"riskgraph/store/memory"
	"riskgraph/synth"
)

// scoredSampleStore loads a small generated sample into a memory store.
func sampleStore(t *testing.T, enterprises int) *memory.Store {
	t.Helper()
	dir := t.TempDir()
	if _, err := synth.Generate(synth.GenerateOptions{Enterprises: enterprises, Seed: 5, Out: dir}); err != nil {
		t.Fatal(err)
	}
	s, err := memory.Open(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	h, err := models.NewPIDHasher([]byte("trigger-test-key-0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := ingest.LoadDir(context.Background(), dir, s, ingest.LoadOptions{Hasher: h, Source: "t", Logger: zerolog.Nop()})
	if err != nil || sum.Total.Rejected != 0 {
		t.Fatalf("load: %v, %d rejected", err, sum.Total.Rejected)
	}
	return s
}

func call(t *testing.T, h http.Handler, method, url string) (int, map[string]any) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, url, nil))
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("%s %s: %d, body not JSON: %q", method, url, rec.Code, rec.Body)
	}
	return rec.Code, body
}

func message(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	m, _ := e["message"].(string)
	return m
}

// TestRunTrigger: POST /api/v1/runs starts a run in the background and
// answers 202 with its id; the run is listed at once as running; a second
// POST while it runs is 409 naming it; once done the run is completed, its
// results are promoted and served by /risk, and a new run may start.
func TestRunTrigger(t *testing.T) {
	s := sampleStore(t, 300)
	a := &app{log: zerolog.Nop()}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	trig := newRunTrigger(ctx, a, s, nil, engine.DefaultParams())
	trig.hold = make(chan struct{})
	api := server.NewAPI(server.Options{Store: s, Logger: zerolog.Nop(), InsecureDev: true, Runs: trig, Engine: &a.latest,
		Cache: cache.NewLocal(100, nil), VersionTTL: time.Nanosecond})
	defer api.Close()
	h := api.Handler()

	code, body := call(t, h, "POST", "/api/v1/runs")
	if code != http.StatusAccepted || body["status"] != "running" {
		t.Fatalf("trigger: %d %v", code, body)
	}
	id, _ := body["run"].(string)
	if !strings.HasPrefix(id, "run-") || body["detail"] != "/api/v1/runs/"+id {
		t.Fatalf("trigger answer: %v", body)
	}
	if code, body := call(t, h, "GET", "/api/v1/runs/"+id); code != 200 || body["status"] != "running" {
		t.Errorf("run detail while running: %d %v", code, body)
	}
	code, body = call(t, h, "POST", "/api/v1/runs")
	if code != http.StatusConflict || !strings.Contains(message(body), id) {
		t.Errorf("second trigger while running: %d %v, want 409 naming %s", code, body, id)
	}
	close(trig.hold)
	trig.wait()

	code, body = call(t, h, "GET", "/api/v1/runs")
	runs, _ := body["runs"].([]any)
	if code != 200 || len(runs) != 1 {
		t.Fatalf("runs: %d %v", code, body)
	}
	run := runs[0].(map[string]any)
	if run["id"] != id || run["status"] != "completed" || run["summary"] == nil || run["finished"] == "0001-01-01T00:00:00Z" {
		t.Errorf("listed run: %v", run)
	}
	res := a.latest.Get()
	if res == nil {
		t.Fatal("the completed run's result is not served")
	}
	// The promoted results carry the run id; /risk serves the new result.
	var key string
	var stored *models.Risk
	_ = s.Scan(context.Background(), 1000, func(b *store.Batch) error {
		for _, e := range b.Enterprises {
			if key == "" && !e.Placeholder && e.Risk != nil {
				key, stored = e.Key, e.Risk
			}
		}
		return nil
	})
	if stored == nil || stored.Run != id {
		t.Fatalf("promoted result: %+v, want run %s", stored, id)
	}
	code, body = call(t, h, "GET", "/api/v1/enterprises/"+key+"/risk")
	if code != 200 || body["score"].(float64) != stored.Score || body["grade"] != stored.Grade {
		t.Errorf("risk of %s: %d %v, want the stored score %v", key, code, body, stored.Score)
	}

	// Free again: the next trigger starts a new run.
	trig.hold = nil
	code, body = call(t, h, "POST", "/api/v1/runs")
	if code != http.StatusAccepted || body["run"] == id {
		t.Fatalf("trigger after completion: %d %v", code, body)
	}
	trig.wait()
	if code, body := call(t, h, "GET", "/api/v1/runs"); len(body["runs"].([]any)) != 2 {
		t.Errorf("runs after the second trigger: %d %v", code, body)
	}
}

// TestRunTriggerCancelledRunIsRecordedFailed: a run cut short by shutdown
// is in the history as failed, never left running.
func TestRunTriggerCancelledRunIsRecordedFailed(t *testing.T) {
	s := sampleStore(t, 50)
	ctx, cancel := context.WithCancel(context.Background())
	trig := newRunTrigger(ctx, &app{log: zerolog.Nop()}, s, nil, engine.DefaultParams())
	trig.hold = make(chan struct{})
	id, err := trig.StartRun(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	trig.wait()
	r, err := s.Run(context.Background(), id)
	if err != nil || r.Status != store.RunFailed || r.Error == "" {
		t.Errorf("cancelled run: %+v %v, want failed with its error", r, err)
	}
	if _, err := trig.StartRun(context.Background()); err == nil {
		t.Error("a trigger accepted a run after shutdown")
	}
}

// TestRunTriggerRedisLock: two replicas sharing a Redis run one at a time;
// the second is refused with the first one's run id until it finishes. On
// the single Redis and on the cluster.
func TestRunTriggerRedisLock(t *testing.T) {
	redistest.Each(t, testRunTriggerRedisLock)
}

func testRunTriggerRedisLock(t *testing.T, r *cache.Redis) {
	lock := fmt.Sprintf("rg:test:lock:%d", time.Now().UnixNano())
	ctx := context.Background()
	one := newRunTrigger(ctx, &app{log: zerolog.Nop()}, sampleStore(t, 50), r.Client(), engine.DefaultParams())
	two := newRunTrigger(ctx, &app{log: zerolog.Nop()}, sampleStore(t, 50), r.Client(), engine.DefaultParams())
	one.lock, two.lock = lease.New(r.Client(), lock), lease.New(r.Client(), lock)
	one.hold = make(chan struct{})
	id, err := one.StartRun(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if holder, err := two.StartRun(ctx); err == nil || holder != id {
		t.Errorf("second replica: %q %v, want ErrRunInProgress naming %s", holder, err, id)
	}
	close(one.hold)
	one.wait()
	if n, _ := r.Client().Exists(ctx, lock).Result(); n != 0 {
		t.Error("the lock outlived the run")
	}
	if _, err := two.StartRun(ctx); err != nil {
		t.Errorf("second replica after the first finished: %v", err)
	}
	two.wait()
}
