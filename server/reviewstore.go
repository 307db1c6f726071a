package server

import (
	"context"

	"riskgraph/store"
)

// The review queue's calls through the timed wrapper (storecall.go).

func (t *timedStore) QueueReviews(ctx context.Context, rs []store.Review) (out []store.Review, err error) {
	err = t.do(ctx, "queue_reviews", t.slow, func(ctx context.Context) error { out, err = t.s.QueueReviews(ctx, rs); return err })
	return out, err
}

func (t *timedStore) Review(ctx context.Context, id string) (r store.Review, err error) {
	err = t.do(ctx, "review", t.timeout, func(ctx context.Context) error { r, err = t.s.Review(ctx, id); return err })
	return r, err
}

func (t *timedStore) ReviewsByID(ctx context.Context, ids []string) (out []store.Review, err error) {
	err = t.do(ctx, "reviews_by_id", t.timeout, func(ctx context.Context) error { out, err = t.s.ReviewsByID(ctx, ids); return err })
	return out, err
}

func (t *timedStore) Reviews(ctx context.Context, f store.ReviewFilter) (out []store.Review, err error) {
	err = t.do(ctx, "reviews", t.timeout, func(ctx context.Context) error { out, err = t.s.Reviews(ctx, f); return err })
	return out, err
}

func (t *timedStore) DecideReview(ctx context.Context, id string, d store.ReviewDecision, b *store.Batch) (r store.Review, err error) {
	err = t.do(ctx, "decide_review", t.slow, func(ctx context.Context) error {
		decide := func(ctx context.Context) error { r, err = t.s.DecideReview(ctx, id, d, b); return err }
		if t.live == nil {
			return decide(ctx)
		}
		// The rows an acceptance writes advance the generation like a batch:
		// the match index follows them without a rebuild.
		return t.live.Track(ctx, b, b != nil && b.Len() > 0, decide)
	})
	return r, err
}
