package server

import (
	"context"

	"riskgraph/store"
)

// The timed store's case-file calls (store.CaseStore).

func (t *timedStore) CreateCase(ctx context.Context, c store.Case) error {
	return t.do(ctx, "create_case", t.timeout, func(ctx context.Context) error { return t.s.CreateCase(ctx, c) })
}

func (t *timedStore) Case(ctx context.Context, id string) (c store.Case, err error) {
	err = t.do(ctx, "case", t.timeout, func(ctx context.Context) error { c, err = t.s.Case(ctx, id); return err })
	return c, err
}

func (t *timedStore) Cases(ctx context.Context, q store.CaseQuery) (cs []store.Case, n int, err error) {
	err = t.do(ctx, "cases", t.timeout, func(ctx context.Context) error { cs, n, err = t.s.Cases(ctx, q); return err })
	return cs, n, err
}

func (t *timedStore) UpdateCase(ctx context.Context, c store.Case) (out store.Case, err error) {
	err = t.do(ctx, "update_case", t.timeout, func(ctx context.Context) error { out, err = t.s.UpdateCase(ctx, c); return err })
	return out, err
}
