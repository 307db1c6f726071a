package server

import (
	"context"

	"riskgraph/store"
)

// The timed wrapper's xref calls (store.XrefStore).

func (t *timedStore) AddXrefPairs(ctx context.Context, pairs []store.XrefPair) (n int, err error) {
	err = t.do(ctx, "add_xref_pairs", t.slow, func(ctx context.Context) error { n, err = t.s.AddXrefPairs(ctx, pairs); return err })
	return n, err
}

func (t *timedStore) XrefPair(ctx context.Context, id string) (p store.XrefPair, err error) {
	err = t.do(ctx, "xref_pair", t.timeout, func(ctx context.Context) error { p, err = t.s.XrefPair(ctx, id); return err })
	return p, err
}

func (t *timedStore) XrefPairs(ctx context.Context, q store.XrefQuery) (ps []store.XrefPair, err error) {
	err = t.do(ctx, "xref_pairs", t.timeout, func(ctx context.Context) error { ps, err = t.s.XrefPairs(ctx, q); return err })
	return ps, err
}

func (t *timedStore) DecideXrefPair(ctx context.Context, id string, d store.XrefDecision) (p store.XrefPair, err error) {
	err = t.do(ctx, "decide_xref_pair", t.timeout, func(ctx context.Context) error {
		decide := func(ctx context.Context) error { p, err = t.s.DecideXrefPair(ctx, id, d); return err }
		if t.live == nil {
			return decide(ctx)
		}
		// A decision advances the generation but changes nothing the
		// match index holds: followed without a rebuild.
		return t.live.Track(ctx, nil, true, decide)
	})
	return p, err
}

func (t *timedStore) SameAs(ctx context.Context) (ps []store.XrefPair, err error) {
	err = t.do(ctx, "same_as", t.timeout, func(ctx context.Context) error { ps, err = t.s.SameAs(ctx); return err })
	return ps, err
}

func (t *timedStore) SaveXrefRun(ctx context.Context, r store.Run) error {
	return t.do(ctx, "save_xref_run", t.timeout, func(ctx context.Context) error { return t.s.SaveXrefRun(ctx, r) })
}

func (t *timedStore) XrefRun(ctx context.Context, id string) (r store.Run, err error) {
	err = t.do(ctx, "xref_run", t.timeout, func(ctx context.Context) error { r, err = t.s.XrefRun(ctx, id); return err })
	return r, err
}
