package memory

import (
	"context"
	"reflect"
	"testing"
	"time"

	"riskgraph/models"
	"riskgraph/store"
)

// TestXrefSurvivesRestartAndCompaction: pairs, their decisions (with the
// SAME_AS link), xref runs and the generation the decisions advanced are
// the same after a restart and after a compaction.
func TestXrefSurvivesRestartAndCompaction(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := openDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	a, b, c := "914403004JURQ283F0", "src:tax:1", "src:court:9"
	if err := s.WriteBatch(ctx, &store.Batch{Enterprises: []models.Enterprise{{Key: a, USCC: a, Name: "甲"}, {Key: b, Name: "甲"}, {Key: c, Name: "乙"}}}); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 7, 2, 9, 0, 0, 0, time.UTC)
	mk := func(x, y string) store.XrefPair {
		if x > y {
			x, y = y, x
		}
		return store.XrefPair{ID: store.XrefPairID(x, y), A: x, B: y, Score: 0.95, Run: "xref-1", Found: at, Evidence: map[string]float64{"name": 1}}
	}
	p1, p2 := mk(a, b), mk(b, c)
	if _, err := s.AddXrefPairs(ctx, []store.XrefPair{p1, p2}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DecideXrefPair(ctx, p1.ID, store.XrefDecision{Decision: store.DecideConfirm, By: "k1", At: at}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DecideXrefPair(ctx, p2.ID, store.XrefDecision{Decision: store.DecideReject, By: "k1", At: at}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveXrefRun(ctx, store.Run{ID: "xref-1", Started: at, Status: store.RunCompleted}); err != nil {
		t.Fatal(err)
	}
	state := func(s *Store) (map[string]store.XrefPair, []store.XrefPair, int, uint64) {
		t.Helper()
		ps, err := s.XrefPairs(ctx, store.XrefQuery{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]store.XrefPair{}
		for _, p := range ps {
			m[p.ID] = p
		}
		same, _ := s.SameAs(ctx)
		edges, _, _ := s.Expand(ctx, []models.Ref{models.EnterpriseRef(b)}, []models.RelType{models.RelSameAs})
		gen, _ := s.Generation(ctx)
		if _, err := s.XrefRun(ctx, "xref-1"); err != nil {
			t.Errorf("xref run: %v", err)
		}
		return m, same, len(edges), gen
	}
	m0, same0, e0, g0 := state(s)
	if e0 != 1 || len(same0) != 1 || m0[p2.ID].Status != store.XrefRejected {
		t.Fatalf("before restart: %d SAME_AS edges, %v", e0, m0)
	}
	check := func(when string, s *Store) {
		t.Helper()
		m, same, e, g := state(s)
		if !reflect.DeepEqual(m, m0) || !reflect.DeepEqual(same, same0) || e != e0 || g != g0 {
			t.Errorf("%s:\n got  %v %v %d gen %d\n want %v %v %d gen %d", when, m, same, e, g, m0, same0, e0, g0)
		}
	}
	s.Close()
	if s, err = openDir(dir); err != nil {
		t.Fatal(err)
	}
	check("after restart", s)
	if _, err := s.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err = openDir(dir); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	check("after compaction", s)
}
