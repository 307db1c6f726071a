package memory

import (
	"bytes"
	"context"
	"testing"
	"time"

	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/storetest"
)

// TestReviewsSurviveRestartAndCompact: the review queue, its decisions and
// the row an accepted entry wrote (with its match score) are replayed from
// the journal after a restart, and again after the journal is compacted.
func TestReviewsSurviveRestartAndCompact(t *testing.T) {
	dir := t.TempDir()
	var log bytes.Buffer
	ctx := context.Background()
	s := open(t, dir, &log)
	if err := s.WriteBatch(ctx, storetest.Fixture()); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	entry := func(id string, n int) store.Review {
		return store.Review{ID: id, Source: "court", File: "records.csv", Line: n, Field: "subject",
			Query:      store.MatchQuery{Name: "星河物流"},
			Candidates: []store.ReviewCandidate{{Key: storetest.G, Name: "上海浦东星河物流有限公司", Score: 0.8}},
			Rows: store.Batch{Records: []models.Record{{ID: "src:court:" + id, Subject: models.Ref{Kind: models.KindEnterprise},
				Kind: models.RecordPenalty, Severity: 0.4}}},
			Status: store.ReviewPending, Created: t0.Add(time.Duration(n) * time.Second)}
	}
	if _, err := s.QueueReviews(ctx, []store.Review{entry("a", 1), entry("b", 2), entry("c", 3)}); err != nil {
		t.Fatal(err)
	}
	row := store.Batch{Records: []models.Record{{ID: "src:court:a", Subject: models.EnterpriseRef(storetest.G), Kind: models.RecordPenalty,
		Severity: 0.4, MatchScore: 0.8}}}
	at := t0.Add(time.Hour)
	if _, err := s.DecideReview(ctx, "a", store.ReviewDecision{Status: store.ReviewAccepted, Key: storetest.G, By: "k1", At: at}, &row); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DecideReview(ctx, "b", store.ReviewDecision{Status: store.ReviewRejected, By: "k2", At: at}, nil); err != nil {
		t.Fatal(err)
	}
	gen, _ := s.Generation(ctx)
	check := func(when string) {
		t.Helper()
		for id, want := range map[string]string{"a": store.ReviewAccepted, "b": store.ReviewRejected, "c": store.ReviewPending} {
			r, err := s.Review(ctx, id)
			if err != nil || r.Status != want || r.Source != "court" || len(r.Candidates) != 1 || r.Rows.Len() != 1 {
				t.Errorf("%s: review %s: %+v, %v; want %s", when, id, r, err, want)
			}
		}
		if a, _ := s.Review(ctx, "a"); a.Key != storetest.G || a.DecidedBy != "k1" || a.Decided == nil || !a.Decided.Equal(at) {
			t.Errorf("%s: decision of a: %+v", when, a)
		}
		recs, _ := s.Records(ctx, models.EnterpriseRef(storetest.G))
		ok := false
		for _, r := range recs {
			ok = ok || r.ID == "src:court:a" && r.MatchScore == 0.8
		}
		if !ok {
			t.Errorf("%s: the accepted row is not on G with its score: %+v", when, recs)
		}
		if g, _ := s.Generation(ctx); g != gen {
			t.Errorf("%s: generation %d, want %d", when, g, gen)
		}
	}
	s.Close()
	s = open(t, dir, &log)
	check("after a restart")
	if _, err := s.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, dir, &log)
	defer s.Close()
	check("after compaction and a restart")
}
