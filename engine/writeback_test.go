package engine

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/memory"
	"riskgraph/synth"
)

// failingStore fails WriteResults after the first batch. Its batches
// are of 500 results (store.ResultBatchSizer), so that a run of a few
// thousand entities has more than one.
type failingStore struct {
	*memory.Store
	calls int
}

func (f *failingStore) ResultBatchSize() int { return 500 }

func (f *failingStore) WriteResults(ctx context.Context, rs []models.RiskResult) error {
	if f.calls++; f.calls > 1 {
		return errors.New("disk full")
	}
	return f.Store.WriteResults(ctx, rs)
}

// TestScoreWritesBackWithHistory: a run stages, promotes and records
// itself; a second run keeps the first's score as Previous; a run that
// fails midway is recorded as failed and leaves the previous results visible.
func TestScoreWritesBackWithHistory(t *testing.T) {
	ctx := context.Background()
	gs := generated(t, 2_000)
	st := gs.writableCopy(t)
	clock := func() time.Time { return time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC) }
	opts := Options{Params: DefaultParams(), Today: synth.DefaultReferenceDate()}
	res, run, err := Score(ctx, st, opts, "run-1", clock)
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != store.RunCompleted || len(run.Summary) == 0 {
		t.Fatalf("run %+v", run)
	}
	// Find an enterprise with a score and flags.
	var key string
	for v := int32(0); v < int32(res.Graph.N()); v++ {
		if res.Graph.Kinds[v] == NodeEnterprise && res.Score[v] > 0.01 && len(res.Flags.ByNode[v]) > 0 {
			key = res.Graph.Keys.At(v)
			break
		}
	}
	if key == "" {
		t.Fatal("no flagged risky enterprise")
	}
	e, err := st.Enterprise(ctx, key)
	if err != nil || e.Risk == nil || e.Risk.Run != "run-1" || len(e.Risk.Flags) == 0 || len(e.Risk.Details) == 0 {
		t.Fatalf("after run-1: %v %+v", err, e.Risk)
	}
	if len(e.Risk.Details) > 2048 {
		t.Errorf("details %d bytes > 2 KB", len(e.Risk.Details))
	}
	first := e.Risk.Score

	// Second run with other parameters: Previous holds run-1.
	opts.Params.Propagation.Alpha = 0.6
	if _, _, err := Score(ctx, st, opts, "run-2", clock); err != nil {
		t.Fatal(err)
	}
	e, _ = st.Enterprise(ctx, key)
	if e.Risk.Run != "run-2" || e.Risk.Previous == nil || e.Risk.Previous.Run != "run-1" || e.Risk.Previous.Score != first {
		t.Fatalf("after run-2: %+v previous %+v", e.Risk, e.Risk.Previous)
	}
	second := e.Risk.Score

	// A failing run leaves run-2 visible.
	fs := &failingStore{Store: st}
	if _, run, err := Score(ctx, fs, opts, "run-3", clock); err == nil || run.Status != store.RunFailed {
		t.Fatalf("failing run: err %v status %q", err, run.Status)
	}
	e, _ = st.Enterprise(ctx, key)
	if e.Risk.Run != "run-2" || e.Risk.Score != second {
		t.Fatalf("after the failed run: %+v", e.Risk)
	}
	r3, err := st.Run(ctx, "run-3")
	if err != nil || r3.Status != store.RunFailed || r3.Error == "" {
		t.Fatalf("run-3 record: %v %+v", err, r3)
	}
	runs, err := st.Runs(ctx, 10)
	if err != nil || len(runs) != 3 {
		t.Fatalf("runs: %v %d", err, len(runs))
	}
}

// batchStore records the sizes of the WriteResults calls it takes, in
// batches of size (store.ResultBatchSizer).
type batchStore struct {
	*memory.Store
	size    int
	batches []int
}

func (b *batchStore) ResultBatchSize() int { return b.size }

func (b *batchStore) WriteResults(ctx context.Context, rs []models.RiskResult) error {
	b.batches = append(b.batches, len(rs))
	return b.Store.WriteResults(ctx, rs)
}

// TestScoreWritesInTheStoresBatches: Score writes its results in batches
// of the store's ResultBatchSize, and what the store then holds is the
// same, result for result, whatever the batch size: Results' rendering
// in batches of WriteBatchSize.
func TestScoreWritesInTheStoresBatches(t *testing.T) {
	ctx := context.Background()
	gs := generated(t, 2_000)
	clock := func() time.Time { return time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC) }
	opts := Options{Params: DefaultParams(), Today: synth.DefaultReferenceDate()}
	var want []models.RiskResult
	for _, size := range []int{333, 20_000} {
		st := &batchStore{Store: gs.writableCopy(t), size: size}
		res, _, err := Score(ctx, st, opts, "run-1", clock)
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for i, n := range st.batches {
			if n > size || n == 0 {
				t.Fatalf("size %d: batch %d of %d results (%v)", size, i, n, st.batches)
			}
			total += n
		}
		if total != res.Summarize().Written || total < 1_000 {
			t.Fatalf("size %d: %d results in batches, %d written", size, total, res.Summarize().Written)
		}
		if len(st.batches) < (total+size-1)/size {
			t.Fatalf("size %d: %d batches for %d results", size, len(st.batches), total)
		}
		var got []models.RiskResult
		if err := res.Results("run-1", func(b []models.RiskResult) error {
			for _, r := range b {
				e, err := st.Enterprise(ctx, r.Ref.Key)
				if r.Ref.Kind == models.KindPerson {
					var p models.Person
					p, err = st.Person(ctx, r.Ref.Key)
					e.Risk = p.Risk
				}
				if err != nil || e.Risk == nil {
					return fmt.Errorf("%s: %v %v", r.Ref, err, e.Risk)
				}
				stored := *e.Risk
				if stored.Previous != nil {
					return fmt.Errorf("%s: a previous result after the first run", r.Ref)
				}
				if !reflect.DeepEqual(stored, r.Risk) {
					return fmt.Errorf("%s: stored %+v, rendered %+v", r.Ref, stored, r.Risk)
				}
				got = append(got, r)
			}
			return nil
		}); err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		if want == nil {
			want = got
		} else if !reflect.DeepEqual(got, want) {
			t.Fatalf("size %d: the results differ from size 333's", size)
		}
	}
}

func TestParamsValidate(t *testing.T) {
	p := DefaultParams()
	if err := p.Validate(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
	for name, raw := range map[string]string{
		"alpha":      `{"propagation":{"alpha":1.5}}`,
		"grades":     `{"grades":{"b":0.3,"c":0.2,"d":0.5}}`,
		"unknown":    `{"propagaton":{}}`,
		"severity":   `{"intrinsic":{"kinds":{"blacklist":{"severity":2,"weight":1,"half_life_days":10}}}}`,
		"control":    `{"propagation":{"weights":{"minority_down":0.95}}}`,
		"not json":   `{`,
		"flag hops":  `{"flags":{"blacklist_hops":0}}`,
		"half-life":  `{"intrinsic":{"lifted_half_life_days":0}}`,
		"tolerance":  `{"propagation":{"tolerance":0}}`,
		"threshold":  `{"ownership":{"beneficial_threshold":0}}`,
		"iterations": `{"propagation":{"max_iterations":0}}`,
	} {
		if _, err := ParseParams([]byte(raw)); err == nil {
			t.Errorf("%s: %s accepted", name, raw)
		}
	}
	q, err := ParseParams([]byte(`{"grades":{"d":0.5},"intrinsic":{"kinds":{"blacklist":{"severity":0.8,"weight":1,"half_life_days":100}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if q.Grades.D != 0.5 || q.Grades.C != 0.1 || q.Intrinsic.Kinds["blacklist"].HalfLifeDays != 100 || q.Intrinsic.Kinds["serious_violation"].Weight != 1 {
		t.Errorf("override did not merge over the defaults: %+v", q.Grades)
	}
}

// TestResultsSameForAnyWorkers renders the results with one worker and with
// three: same results, same order, same details (a race or a mix-up of
// rows between workers would differ), and explanations do not depend on
// which explanations ran before on the reused workspace.
func TestResultsSameForAnyWorkers(t *testing.T) {
	gs := generated(t, 2_000)
	res, err := Run(context.Background(), gs.store, Options{Params: DefaultParams(), Today: synth.DefaultReferenceDate()})
	if err != nil {
		t.Fatal(err)
	}
	render := func(workers int) []models.RiskResult {
		res.Params.Workers = workers
		var all []models.RiskResult
		if err := res.Results("run-w", func(b []models.RiskResult) error {
			all = append(all, b...)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return all
	}
	one, three := render(1), render(3)
	details := 0
	for _, r := range one {
		if r.Details != nil {
			details++
		}
	}
	if len(one) == 0 || details == 0 {
		t.Fatalf("%d results, %d with details", len(one), details)
	}
	if !reflect.DeepEqual(one, three) {
		t.Fatal("results differ between 1 and 3 workers")
	}
	var vs []int32
	for v := int32(0); v < int32(res.Graph.N()) && len(vs) < 200; v++ {
		if res.Score[v] > 0 {
			vs = append(vs, v)
		}
	}
	forward := make([]Explanation, len(vs))
	for i, v := range vs {
		forward[i] = res.Explain(v)
	}
	for i := len(vs) - 1; i >= 0; i-- {
		if again := res.Explain(vs[i]); !reflect.DeepEqual(again, forward[i]) {
			t.Fatalf("explanation of node %d depends on the ones before it", vs[i])
		}
	}
}
