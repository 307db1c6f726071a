package report

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"riskgraph/engine"
	"riskgraph/ingest"
	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/memory"
	"riskgraph/synth"
)

// TestJobWebhookAndRestart: two scheduled jobs on a journaled store; the
// second report is delivered to a webhook that fails twice first, with a
// valid signature, its delivery status is stored, and everything survives
// reopening the store.
func TestJobWebhookAndRestart(t *testing.T) {
	dataDir := t.TempDir()
	gen := filepath.Join(t.TempDir(), "gen")
	if _, err := synth.Generate(synth.GenerateOptions{Enterprises: 600, Seed: 3, Out: gen}); err != nil {
		t.Fatal(err)
	}
	st, err := memory.Open(memory.Options{DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	h, _ := models.NewPIDHasher([]byte("report-test-pid-key-0123456789"))
	today := synth.DefaultReferenceDate()
	if _, err := ingest.LoadDir(context.Background(), gen, st, ingest.LoadOptions{Hasher: h, Source: "t", Now: func() time.Time { return today.Time }}); err != nil {
		t.Fatal(err)
	}
	secret := []byte("0123456789abcdef-secret")
	var mu sync.Mutex
	var calls int
	var gotBody []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		calls++
		if Sign(secret, r.Header.Get("X-Riskgraph-Timestamp"), b) != r.Header.Get("X-Riskgraph-Signature") {
			t.Errorf("bad signature on attempt %d", calls)
		}
		if calls <= 2 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		gotBody = b
	}))
	defer srv.Close()
	var slept []time.Duration
	clock := time.Date(2026, 7, 1, 7, 0, 0, 0, time.UTC)
	job := &Job{Store: st, Log: zerolog.Nop(), Now: func() time.Time { return clock },
		Engine: engine.Options{Params: engine.DefaultParams(), Today: today}}
	if _, err := job.Run(context.Background(), "run-a", nil); err != nil {
		t.Fatal(err)
	}
	// New data between the runs.
	if err := st.WriteBatch(context.Background(), &store.Batch{Records: []models.Record{{ID: "new-bl", Subject: models.EnterpriseRef(firstKey(t, st)),
		Kind: models.RecordBlacklist, Severity: 0.9, Decided: models.DateOf(today.AddDate(0, 0, -5))}}}); err != nil {
		t.Fatal(err)
	}
	job.Webhook = &Webhook{URL: srv.URL + "/hook?token=abc", Secret: secret, Attempts: 4, Backoff: time.Second,
		Now: func() time.Time { return clock }, Sleep: func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }}
	out, err := job.Run(context.Background(), "run-b", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Reports) != 1 || out.Reports[0].Against != "run-a" || out.Reports[0].Run != "run-b" {
		t.Fatalf("reports %+v", out.Reports)
	}
	if calls != 3 || len(slept) != 2 || slept[0] != time.Second || slept[1] != 2*time.Second {
		t.Errorf("%d calls, backoff %v; want 3 calls after 1s and 2s", calls, slept)
	}
	id := out.Reports[0].ID
	st.Close()
	st, err = memory.Open(memory.Options{DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r, err := st.Report(context.Background(), id)
	if err != nil {
		t.Fatalf("report after restart: %v", err)
	}
	if !bytes.Equal(r.Body, gotBody) {
		t.Error("the webhook got another body than the stored report")
	}
	var del Delivery
	if err := json.Unmarshal(r.Delivery, &del); err != nil || del.Status != DeliveryDelivered || len(del.Attempts) != 3 ||
		del.Attempts[0].Status != 503 || del.Target != srv.URL+"/hook" {
		t.Errorf("delivery %s (%v)", r.Delivery, err)
	}
	var d Document
	if err := json.Unmarshal(r.Body, &d); err != nil || len(d.NewRecords) != 1 || d.NewRecords[0].ID != "new-bl" {
		t.Errorf("stored report: %v, new records %+v", err, d.NewRecords)
	}
	if _, err := st.Snapshot(context.Background(), "run-a"); err != nil {
		t.Errorf("snapshot of run-a after restart: %v", err)
	}
}

// TestWebhookGivesUp: a webhook that always fails is attempted Attempts
// times and the status says failed.
func TestWebhookGivesUp(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }))
	defer srv.Close()
	var seen []Delivery
	w := &Webhook{URL: srv.URL, Secret: []byte("0123456789abcdef"), Attempts: 3, Sleep: func(context.Context, time.Duration) error { return nil }}
	d := w.Deliver(context.Background(), "rpt-x", []byte(`{}`), func(d Delivery) { seen = append(seen, d) })
	if d.Status != DeliveryFailed || len(d.Attempts) != 3 || d.Attempts[2].Error != "HTTP 500" {
		t.Errorf("%+v", d)
	}
	if len(seen) != 3 || seen[0].Status != DeliveryPending || seen[2].Status != DeliveryFailed {
		t.Errorf("progress: %+v", seen)
	}
	if err := (&Webhook{URL: "ftp://x", Secret: []byte("0123456789abcdef")}).Validate(); err == nil {
		t.Error("ftp URL accepted")
	}
	if err := (&Webhook{URL: "https://x/y", Secret: []byte("short")}).Validate(); err == nil {
		t.Error("short secret accepted")
	}
}

func firstKey(t *testing.T, s store.Store) string {
	t.Helper()
	var key string
	_ = s.Scan(context.Background(), 100, func(b *store.Batch) error {
		for _, e := range b.Enterprises {
			if key == "" && !e.Placeholder && e.Status == models.StatusActive {
				key = e.Key
			}
		}
		return nil
	})
	return key
}

// TestJobPrunesSnapshots: with KeepSnapshots 2, after four jobs only the
// two newest runs keep their snapshots (plus a pinned Against run), and
// every report still compares with the run before it.
func TestJobPrunesSnapshots(t *testing.T) {
	gen := filepath.Join(t.TempDir(), "gen")
	if _, err := synth.Generate(synth.GenerateOptions{Enterprises: 200, Seed: 5, Out: gen}); err != nil {
		t.Fatal(err)
	}
	st, err := memory.Open(memory.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h, _ := models.NewPIDHasher([]byte("report-test-pid-key-0123456789"))
	today := synth.DefaultReferenceDate()
	if _, err := ingest.LoadDir(context.Background(), gen, st, ingest.LoadOptions{Hasher: h, Source: "t", Now: func() time.Time { return today.Time }}); err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 7, 1, 7, 0, 0, 0, time.UTC)
	job := &Job{Store: st, Log: zerolog.Nop(), Now: func() time.Time { clock = clock.Add(time.Hour); return clock },
		Engine: engine.Options{Params: engine.DefaultParams(), Today: today}, KeepSnapshots: 2}
	runs := []string{"run-1", "run-2", "run-3", "run-4"}
	for i, id := range runs {
		out, err := job.Run(context.Background(), id, nil)
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 && (len(out.Reports) != 1 || out.Reports[0].Against != runs[i-1]) {
			t.Fatalf("%s: reports %+v, want one against %s", id, out.Reports, runs[i-1])
		}
	}
	has := func(id string) bool {
		_, err := st.Snapshot(context.Background(), id)
		return err == nil
	}
	for id, want := range map[string]bool{"run-1": false, "run-2": false, "run-3": true, "run-4": true} {
		if has(id) != want {
			t.Errorf("snapshot of %s kept = %v, want %v", id, !want, want)
		}
	}
	job.Against = "run-3"
	if _, err := job.Run(context.Background(), "run-5", nil); err != nil {
		t.Fatal(err)
	}
	// Newest two (run-5, run-4) and the pinned run-3 keep theirs.
	if !has("run-5") || !has("run-4") || !has("run-3") || has("run-2") {
		t.Errorf("after run-5 against run-3: run-5 %v, run-4 %v, run-3 %v, run-2 %v", has("run-5"), has("run-4"), has("run-3"), has("run-2"))
	}
}

// TestJobFromEngineSnapshot: with the engine's projection snapshot the
// second run writes back only the results that changed; its report
// snapshot still holds every entity, with the run's score, grade and
// flags, and for those not written the top contributions of the run
// before (what their stored details carry).
func TestJobFromEngineSnapshot(t *testing.T) {
	gen := filepath.Join(t.TempDir(), "gen")
	if _, err := synth.Generate(synth.GenerateOptions{Enterprises: 300, Seed: 5, Out: gen}); err != nil {
		t.Fatal(err)
	}
	st, err := memory.Open(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	h, _ := models.NewPIDHasher([]byte("report-test-pid-key-0123456789"))
	today := synth.DefaultReferenceDate()
	if _, err := ingest.LoadDir(ctx, gen, st, ingest.LoadOptions{Hasher: h, Source: "t", Now: func() time.Time { return today.Time }}); err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 7, 1, 7, 0, 0, 0, time.UTC)
	var res *engine.Result
	job := &Job{Store: st, Log: zerolog.Nop(), Now: func() time.Time { clock = clock.Add(time.Hour); return clock },
		Engine:  engine.Options{Params: engine.DefaultParams(), Today: today, Snapshot: filepath.Join(t.TempDir(), "projection.snap")},
		Publish: func(r *engine.Result) { res = r }}
	if _, err := job.Run(ctx, "run-1", nil); err != nil {
		t.Fatal(err)
	}
	key := firstKey(t, st)
	day := &store.Batch{Records: []models.Record{{ID: "snap-day", Subject: models.EnterpriseRef(key), Kind: models.RecordSeriousViolation,
		Severity: 0.9, Decided: models.NewDate(2025, 6, 1)}}}
	if err := st.WriteBatch(ctx, day); err != nil {
		t.Fatal(err)
	}
	out, err := job.Run(ctx, "run-2", nil)
	if err != nil {
		t.Fatal(err)
	}
	var sum engine.Summary
	if err := json.Unmarshal(out.Run.Summary, &sum); err != nil {
		t.Fatal(err)
	}
	g := res.Graph
	entities := g.NumEnterprises + g.NumPersons
	if sum.Snapshot == nil || !sum.Snapshot.Used || sum.Written == 0 || sum.Written >= entities {
		t.Fatalf("second run: snapshot %+v, %d of %d written; want used, some written", sum.Snapshot, sum.Written, entities)
	}
	snaps := map[string]*Snapshot{}
	for _, id := range []string{"run-1", "run-2"} {
		raw, err := st.Snapshot(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if snaps[id], err = DecodeSnapshot(raw); err != nil {
			t.Fatal(err)
		}
	}
	s2 := snaps["run-2"]
	if len(s2.Entities) != entities {
		t.Fatalf("report snapshot of run-2 holds %d entities, the graph %d", len(s2.Entities), entities)
	}
	unwritten := 0
	for v := range int32(g.N()) {
		if !g.IsEntity(v) {
			continue
		}
		ref := g.Ref(v)
		e, ok := s2.Find(ref)
		switch {
		case !ok:
			t.Fatalf("%s: not in the report snapshot", ref)
		case e.Score != quantize(res.Score[v]) || e.Grade != res.Grade[v].String() || !slices.Equal(e.Flags, res.Flags.KindsOf(v)):
			t.Fatalf("%s: snapshot %v %s %v, the run's %v %s %v", ref, e.Score, e.Grade, e.Flags, quantize(res.Score[v]), res.Grade[v], res.Flags.KindsOf(v))
		}
		if res.Changed(v) {
			continue
		}
		unwritten++
		p, _ := snaps["run-1"].Find(ref)
		if p == nil || !reflect.DeepEqual(e.Top, p.Top) {
			t.Fatalf("%s (not written): top contributions %v, the run before's %v", ref, e.Top, p)
		}
	}
	if unwritten == 0 {
		t.Fatal("every result was written: the case is not tested")
	}
}
