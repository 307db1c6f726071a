package neo4j

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"riskgraph/store"
)

var _ store.ReviewStore = (*Store)(nil)

// The match review queue: one (:MatchReview) node per entry, keyed by id,
// with the properties it is filtered and ordered by (status, created), the
// decision (key, decided_by, decided) and the rest of the entry as one JSON
// document (doc: file, line, field, query, candidates, the held row), which
// never changes once queued.
const (
	qSchemaReviewID     = "schema_review_id"
	qSchemaReviewStatus = "schema_review_status"
	qReviewQueue        = "review_queue"
	qReviewGet          = "review_get"
	qReviewsByID        = "reviews_by_id"
	qReviewsList        = "reviews_list"
	qReviewDecide       = "review_decide"
	qReviewRows         = "review_rows"
)

// QueueReviews creates the entries whose id is new and adds rows to the
// pending ones, in one transaction.
func (s *Store) QueueReviews(ctx context.Context, rs []store.Review) ([]store.Review, error) {
	rows := make([]any, len(rs))
	for i := range rs {
		if err := rs[i].Validate(); err != nil {
			return nil, err
		}
		doc, err := reviewDoc(rs[i])
		if err != nil {
			return nil, err
		}
		rows[i] = map[string]any{"id": rs[i].ID, "created": rs[i].Created.UTC(), "doc": doc}
	}
	after := map[string]*store.Review{}
	err := s.write(ctx, "queue reviews", func(tx driver.ManagedTransaction) error {
		clear(after)
		for lo := 0; lo < len(rows); lo += chunkRows {
			res, err := tx.Run(ctx, stmt(qReviewQueue), map[string]any{"rows": rows[lo:min(lo+chunkRows, len(rows))]})
			if err != nil {
				return err
			}
			for res.Next(ctx) {
				r, err := reviewOf(res.Record().Values[0])
				if err != nil {
					return err
				}
				if after[r.ID] == nil {
					after[r.ID] = &r
				}
			}
			if err := res.Err(); err != nil {
				return err
			}
		}
		// Rows the stored entries do not hold yet (a load naming the
		// reference again, or twice in this call).
		var grown []any
		for _, r := range rs {
			x := after[r.ID]
			if x == nil || x.Status != store.ReviewPending || !x.AddRows(r.Rows) {
				continue
			}
			doc, err := reviewDoc(*x)
			if err != nil {
				return err
			}
			grown = append(grown, map[string]any{"id": x.ID, "doc": doc})
		}
		if len(grown) > 0 {
			if _, err := runIn(ctx, tx, qReviewRows, map[string]any{"rows": grown}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]store.Review, len(rs))
	for i, r := range rs {
		if x := after[r.ID]; x != nil {
			out[i] = *x
		}
	}
	return out, nil
}

// Review returns one entry.
func (s *Store) Review(ctx context.Context, id string) (store.Review, error) {
	rs, err := s.reviews(ctx, qReviewGet, map[string]any{"id": id})
	if err != nil {
		return store.Review{}, err
	}
	if len(rs) == 0 {
		return store.Review{}, fmt.Errorf("review %q: %w", id, store.ErrNotFound)
	}
	return rs[0], nil
}

// ReviewsByID returns the entries among ids that exist.
func (s *Store) ReviewsByID(ctx context.Context, ids []string) ([]store.Review, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return s.reviews(ctx, qReviewsByID, map[string]any{"ids": ids})
}

// Reviews lists entries oldest first, filtered and paged.
func (s *Store) Reviews(ctx context.Context, f store.ReviewFilter) ([]store.Review, error) {
	if f.Limit < 1 {
		return []store.Review{}, nil
	}
	after := f.AfterCreated.UTC()
	if f.AfterCreated.IsZero() {
		after = time.Unix(0, 0).UTC()
	}
	return s.reviews(ctx, qReviewsList, map[string]any{"status": f.Status, "after_created": after,
		"after_id": f.AfterID, "limit": int64(f.Limit)})
}

func (s *Store) reviews(ctx context.Context, name string, params map[string]any) ([]store.Review, error) {
	out := []store.Review{}
	err := s.collect(ctx, "read reviews", name, params,
		func() { out = out[:0] },
		func(rec *driver.Record) error {
			r, err := reviewOf(rec.Values[0])
			if err == nil {
				out = append(out, r)
			}
			return err
		})
	return out, err
}

// errDecided carries the entry as it is out of the decision's transaction.
type errDecided struct{ r store.Review }

func (e *errDecided) Error() string { return "review " + e.r.ID + " was " + e.r.Status + " before" }

// DecideReview records the decision and writes batch in one transaction.
func (s *Store) DecideReview(ctx context.Context, id string, d store.ReviewDecision, batch *store.Batch) (store.Review, error) {
	if err := d.Validate(); err != nil {
		return store.Review{}, err
	}
	var steps []step
	if batch != nil {
		if err := batch.Validate(); err != nil {
			return store.Review{}, err
		}
		steps = planBatch(batch)
	}
	params := map[string]any{"id": id, "status": d.Status, "key": optString(d.Key), "by": optString(d.By), "at": d.At.UTC()}
	var out store.Review
	found := false
	err := s.write(ctx, "decide review", func(tx driver.ManagedTransaction) error {
		found = false
		res, err := tx.Run(ctx, stmt(qReviewDecide), params)
		if err != nil {
			return err
		}
		if !res.Next(ctx) {
			return res.Err()
		}
		found = true
		rec := res.Record()
		was, _ := rec.Values[0].(string)
		if out, err = reviewOf(rec.Values[1]); err != nil {
			return err
		}
		if _, err := res.Consume(ctx); err != nil {
			return err
		}
		if was != store.ReviewPending {
			return &errDecided{out} // rolls the transaction back: nothing is written
		}
		if len(steps) == 0 {
			return nil
		}
		return writeStampedIn(ctx, tx, steps)
	})
	var ed *errDecided
	switch {
	case errors.As(err, &ed):
		return ed.r, fmt.Errorf("review %q was %s before: %w", id, ed.r.Status, store.ErrDecided)
	case err != nil:
		return store.Review{}, err
	case !found:
		return store.Review{}, fmt.Errorf("review %q: %w", id, store.ErrNotFound)
	}
	return out, nil
}

// reviewDoc is the part of an entry kept as one JSON document.
func reviewDoc(r store.Review) (string, error) {
	r.ID, r.Status, r.Key, r.DecidedBy, r.Decided, r.Created = "", "", "", "", nil, time.Time{}
	b, err := json.Marshal(r)
	return string(b), err
}

// reviewOf reads an entry from its node's properties.
func reviewOf(v any) (store.Review, error) {
	p, _ := v.(map[string]any)
	var r store.Review
	if err := json.Unmarshal([]byte(str(p, "doc")), &r); err != nil {
		return store.Review{}, fmt.Errorf("review %q: its document does not read: %w", str(p, "id"), err)
	}
	r.ID, r.Status, r.Created = str(p, "id"), str(p, "status"), timeOf(p["created"])
	r.Key, r.DecidedBy = str(p, "key"), str(p, "decided_by")
	if _, ok := p["decided"]; ok {
		t := timeOf(p["decided"])
		r.Decided = &t
	}
	return r, nil
}
