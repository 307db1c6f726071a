package server

import (
	"context"
	"fmt"
	"strconv"

	"riskgraph/ingest"
	"riskgraph/match"
	"riskgraph/store"
)

// liveResolver resolves the references of POST /ingest/{kind} with the
// server's own live match index (the one POST /match serves, kept current
// by every write through this server) and its store's review queue, so a
// department pushing rows by HTTP gets the matching `riskgraph ingest
// --match` gives (docs/ingest.md, "Matching at ingest").
type liveResolver struct{ a *API }

func (r liveResolver) Match(ctx context.Context, qs []match.Query, limit int) ([][]match.Candidate, error) {
	if _, err := r.a.matcher.Current(ctx, r.a.store); err != nil {
		return nil, err
	}
	out := make([][]match.Candidate, len(qs))
	for i, q := range qs {
		cands, err := r.a.matcher.Match(q, limit)
		if err != nil {
			return nil, fmt.Errorf("match query %d: %w", i, err)
		}
		out[i] = cands
	}
	return out, nil
}

func (r liveResolver) Reviews(ctx context.Context, ids []string) ([]store.Review, error) {
	return r.a.store.ReviewsByID(ctx, ids)
}

func (r liveResolver) QueueReviews(ctx context.Context, rs []store.Review) ([]store.Review, error) {
	return r.a.store.QueueReviews(ctx, rs)
}

// ingestMatchOptions reads POST /ingest/{kind}'s match, match_accept and
// match_review: nil when none is given (matching off); either threshold
// implies match=true.
func (a *API) ingestMatchOptions(match, accept, review string) (*ingest.MatchOptions, error) {
	on := false
	if match != "" {
		var err error
		if on, err = strconv.ParseBool(match); err != nil {
			return nil, badRequest("match=%q: use true or false", match)
		}
	}
	if !on && accept == "" && review == "" {
		return nil, nil
	}
	o := &ingest.MatchOptions{Resolver: liveResolver{a}}
	for _, t := range []struct {
		name, value string
		to          *float64
		from        *string
	}{{"match_accept", accept, &o.Accept, &o.AcceptFrom}, {"match_review", review, &o.Review, &o.ReviewFrom}} {
		if t.value == "" {
			continue
		}
		v, err := strconv.ParseFloat(t.value, 64)
		if err != nil {
			return nil, badRequest("%s=%q: give a score above 0 and at most 1", t.name, t.value)
		}
		*t.to, *t.from = v, t.name
	}
	if err := o.Validate(); err != nil {
		return nil, badRequest("%v", err)
	}
	return o, nil
}
