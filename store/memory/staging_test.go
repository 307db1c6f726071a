package memory

import (
	"context"
	"testing"

	"riskgraph/models"
	"riskgraph/store"
)

// TestStagingOneRowPerEntity: staging an entity again replaces its staged
// result (the latest wins, whichever run staged it), runs that fail
// before promoting leave at most one staged row per entity, a promotion
// installs its run's rows only, keeps the previous result, drops every
// staged row, and a replayed journal stages and promotes the same.
func TestStagingOneRowPerEntity(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := openDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	keys := []string{"src:t:a", "src:t:b", "src:t:c"}
	var b store.Batch
	for _, k := range keys {
		b.Enterprises = append(b.Enterprises, models.Enterprise{Key: k, Name: k, Status: models.StatusActive})
	}
	must(s.WriteBatch(ctx, &b))
	res := func(run, key string, score float64) models.RiskResult {
		return models.RiskResult{Ref: models.EnterpriseRef(key), Risk: models.Risk{Score: score, Grade: "A", Run: run}}
	}
	score := func(s *Store, key string) *models.Risk {
		t.Helper()
		e, err := s.Enterprise(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		return e.Risk
	}
	must(s.WriteResults(ctx, []models.RiskResult{res("run-1", keys[0], 0.1), res("run-1", keys[1], 0.2)}))
	must(s.PromoteRun(ctx, "run-1"))
	// Three runs stage and fail; the third also stages a again.
	for _, run := range []string{"run-2", "run-3", "run-4"} {
		must(s.WriteResults(ctx, []models.RiskResult{res(run, keys[0], 0.3), res(run, keys[2], 0.4)}))
	}
	must(s.WriteResults(ctx, []models.RiskResult{res("run-4", keys[0], 0.5), res("run-unknown", "src:t:none", 0.9)}))
	check := func(s *Store, what string) {
		t.Helper()
		s.mu.RLock()
		n := s.g.staged.len()
		s.mu.RUnlock()
		if n != 2 {
			t.Fatalf("%s: %d staged rows, want 2 (one per entity staged)", what, n)
		}
		if r := score(s, keys[0]); r.Run != "run-1" || r.Score != 0.1 {
			t.Fatalf("%s: a's current result %+v before the promotion, want run-1's", what, r)
		}
	}
	check(s, "staged")
	must(s.Close())
	s, err = openDir(dir)
	must(err)
	defer s.Close()
	check(s, "replayed")
	// run-3's rows were replaced by run-4's: promoting run-3 installs nothing.
	must(s.PromoteRun(ctx, "run-3"))
	if r := score(s, keys[2]); r != nil {
		t.Fatalf("c after promoting a run whose rows were replaced: %+v", r)
	}
	must(s.WriteResults(ctx, []models.RiskResult{res("run-5", keys[0], 0.6), res("run-5", keys[2], 0.7), res("run-5", keys[0], 0.65)}))
	must(s.PromoteRun(ctx, "run-5"))
	must(s.PromoteRun(ctx, "run-5")) // again: nothing changes
	a, bb, c := score(s, keys[0]), score(s, keys[1]), score(s, keys[2])
	if a.Score != 0.65 || a.Run != "run-5" || a.Previous == nil || a.Previous.Run != "run-1" || a.Previous.Score != 0.1 {
		t.Fatalf("a after run-5: %+v (previous %+v), want 0.65 with run-1's 0.1 as previous", a, a.Previous)
	}
	if bb.Run != "run-1" || c.Run != "run-5" || c.Score != 0.7 || c.Previous != nil {
		t.Fatalf("b %+v, c %+v after run-5", bb, c)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if n := s.g.staged.len(); n != 0 {
		t.Fatalf("%d rows staged after a promotion", n)
	}
}
