package main

import (
	"context"
	"fmt"
	"net/http"

	"riskgraph/ingest"
	"riskgraph/match"
	"riskgraph/store"
)

// serverResolver resolves a forwarded load's match queries through the
// running server, which holds the store and this load's enterprises: POST
// /api/v1/match in chunks of at most 1 000 queries, and review entries
// queued with POST /api/v1/match/review (both audited there). Decisions
// made before the load are read from the read-only replay of the journal
// the load already has open; one made while it runs comes back from the
// queueing call and is applied too.
type serverResolver struct {
	ls      *localServer
	decided store.ReviewStore
}

var _ ingest.Resolver = (*serverResolver)(nil)

// maxServerQueries is POST /api/v1/match's bound.
const maxServerQueries = 1000

func (r *serverResolver) Match(ctx context.Context, qs []match.Query, limit int) ([][]match.Candidate, error) {
	out := make([][]match.Candidate, 0, len(qs))
	for lo := 0; lo < len(qs); lo += maxServerQueries {
		chunk := qs[lo:min(lo+maxServerQueries, len(qs))]
		var ans struct {
			Results []struct {
				Query      int               `json:"query"`
				Candidates []match.Candidate `json:"candidates"`
			} `json:"results"`
		}
		body := map[string]any{"queries": chunk, "limit": limit}
		if err := r.ls.call(ctx, http.MethodPost, "/api/v1/match", body, &ans); err != nil {
			return nil, fmt.Errorf("the running server's matcher: %w", err)
		}
		if len(ans.Results) != len(chunk) {
			return nil, fmt.Errorf("the running server's matcher answered %d results to %d queries", len(ans.Results), len(chunk))
		}
		for _, res := range ans.Results {
			out = append(out, res.Candidates)
		}
	}
	return out, nil
}

func (r *serverResolver) Reviews(ctx context.Context, ids []string) ([]store.Review, error) {
	return r.decided.ReviewsByID(ctx, ids)
}

func (r *serverResolver) QueueReviews(ctx context.Context, rs []store.Review) ([]store.Review, error) {
	var ans struct {
		Entries []store.Review `json:"entries"`
	}
	if err := r.ls.call(ctx, http.MethodPost, "/api/v1/match/review", map[string]any{"entries": rs}, &ans); err != nil {
		return nil, fmt.Errorf("queuing for review on the running server: %w", err)
	}
	return ans.Entries, nil
}
