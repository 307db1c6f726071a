package memory

import (
	"context"
	"fmt"
	"slices"

	"riskgraph/store"
)

var _ store.ReviewStore = (*Store)(nil)

// The match review queue. Each change is one journal record: queued
// entries (only those the queue did not hold), or one decision together
// with the batch it writes (an accepted entry's row), so that replaying
// the journal gives the queue and the graph as they were acknowledged.

// reviewsEntry is the journal record of a change to the review queue.
type reviewsEntry struct {
	Queue []store.Review `json:"queue,omitempty"`
	// AddRows: rows for pending entries (Review.AddRows, by id).
	AddRows []store.Review `json:"add_rows,omitempty"`
	Decide  string         `json:"decide,omitempty"`
	// Decision is Decide's; the batch it writes is the entry's Batch.
	Decision *store.ReviewDecision `json:"decision,omitempty"`
}

// reviews holds the queue by id.
type reviews struct {
	byID map[string]*store.Review
}

func (r *reviews) apply(e *reviewsEntry) {
	if e == nil {
		return
	}
	if r.byID == nil {
		r.byID = map[string]*store.Review{}
	}
	for i := range e.Queue {
		if _, ok := r.byID[e.Queue[i].ID]; !ok {
			c := e.Queue[i]
			r.byID[c.ID] = &c
		}
	}
	for i := range e.AddRows {
		if x := r.byID[e.AddRows[i].ID]; x != nil && x.Status == store.ReviewPending {
			c := *x
			c.Rows = cloneBatch(x.Rows)
			c.AddRows(e.AddRows[i].Rows)
			r.byID[c.ID] = &c
		}
	}
	if x := r.byID[e.Decide]; x != nil && e.Decision != nil && x.Status == store.ReviewPending {
		d := x.Apply(*e.Decision)
		r.byID[e.Decide] = &d
	}
}

// snapshot emits every entry as queued, then each decision.
func (r *reviews) snapshot(emit func(*entry) error) error {
	for _, x := range r.byID {
		q := *x
		q.Status, q.Key, q.DecidedBy, q.Decided = store.ReviewPending, "", "", nil
		e := &entry{Reviews: &reviewsEntry{Queue: []store.Review{q}}}
		if x.Status != store.ReviewPending && x.Decided != nil {
			e.Reviews.Decide = x.ID
			e.Reviews.Decision = &store.ReviewDecision{Status: x.Status, Key: x.Key, By: x.DecidedBy, At: *x.Decided}
		}
		if err := emit(e); err != nil {
			return err
		}
	}
	return nil
}

// QueueReviews journals the entries the queue does not hold yet and the
// rows pending entries do not hold yet.
func (s *Store) QueueReviews(ctx context.Context, rs []store.Review) ([]store.Review, error) {
	for i := range rs {
		if err := rs[i].Validate(); err != nil {
			return nil, err
		}
	}
	s.reviewMu.Lock()
	defer s.reviewMu.Unlock()
	// The entries as they will be, by id, and which are new or grew.
	after := map[string]*store.Review{}
	var fresh, grown []string
	s.mu.RLock()
	if err := s.open(); err != nil {
		s.mu.RUnlock()
		return nil, err
	}
	for _, r := range rs {
		x := after[r.ID]
		if x == nil {
			if held := s.g.reviews.byID[r.ID]; held != nil {
				c := *held
				c.Rows = cloneBatch(held.Rows)
				x = &c
			} else {
				c := r
				c.Rows = store.Batch{}
				x = &c
				fresh = append(fresh, r.ID)
			}
			after[r.ID] = x
		}
		if x.Status == store.ReviewPending && x.AddRows(r.Rows) && !slices.Contains(fresh, r.ID) && !slices.Contains(grown, r.ID) {
			grown = append(grown, r.ID)
		}
	}
	s.mu.RUnlock()
	if len(fresh)+len(grown) > 0 {
		e := &reviewsEntry{}
		for _, id := range fresh {
			e.Queue = append(e.Queue, *after[id])
		}
		for _, id := range grown {
			e.AddRows = append(e.AddRows, *after[id])
		}
		if err := s.commit(ctx, &entry{Reviews: e}); err != nil {
			return nil, err
		}
	}
	out := make([]store.Review, len(rs))
	for i, r := range rs {
		out[i] = *after[r.ID]
	}
	return out, nil
}

func cloneBatch(b store.Batch) store.Batch {
	return store.Batch{Shareholdings: slices.Clone(b.Shareholdings), Roles: slices.Clone(b.Roles),
		Branches: slices.Clone(b.Branches), Records: slices.Clone(b.Records)}
}

// Review returns one entry.
func (s *Store) Review(_ context.Context, id string) (store.Review, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.open(); err != nil {
		return store.Review{}, err
	}
	x := s.g.reviews.byID[id]
	if x == nil {
		return store.Review{}, fmt.Errorf("review %q: %w", id, store.ErrNotFound)
	}
	return *x, nil
}

// ReviewsByID returns the entries among ids that the queue holds.
func (s *Store) ReviewsByID(_ context.Context, ids []string) ([]store.Review, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.open(); err != nil {
		return nil, err
	}
	var out []store.Review
	for _, id := range ids {
		if x := s.g.reviews.byID[id]; x != nil {
			out = append(out, *x)
		}
	}
	return out, nil
}

// Reviews lists entries oldest first, filtered and paged.
func (s *Store) Reviews(_ context.Context, f store.ReviewFilter) ([]store.Review, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.open(); err != nil {
		return nil, err
	}
	out := []store.Review{}
	for _, x := range s.g.reviews.byID {
		if (f.Status == "" || x.Status == f.Status) && f.After(*x) {
			out = append(out, *x)
		}
	}
	store.SortReviews(out)
	return out[:min(len(out), max(f.Limit, 0))], nil
}

// DecideReview journals a decision on a pending entry with the batch it
// writes, as one record.
func (s *Store) DecideReview(ctx context.Context, id string, d store.ReviewDecision, batch *store.Batch) (store.Review, error) {
	if err := d.Validate(); err != nil {
		return store.Review{}, err
	}
	if batch != nil {
		if err := batch.Validate(); err != nil {
			return store.Review{}, err
		}
		if batch.Len() == 0 {
			batch = nil
		}
	}
	s.reviewMu.Lock()
	defer s.reviewMu.Unlock()
	cur, err := s.Review(ctx, id)
	if err != nil {
		return store.Review{}, err
	}
	if cur.Status != store.ReviewPending {
		return cur, fmt.Errorf("review %q was %s before: %w", id, cur.Status, store.ErrDecided)
	}
	if err := s.commit(ctx, &entry{Batch: batch, Reviews: &reviewsEntry{Decide: id, Decision: &d}}); err != nil {
		return store.Review{}, err
	}
	return cur.Apply(d), nil
}
