package server

import (
	"context"

	"riskgraph/store"
)

// The timed store's credit-check calls (store.CheckStore).

func (t *timedStore) SaveChecks(ctx context.Context, cs []store.CreditCheck) error {
	return t.do(ctx, "save_checks", t.slow, func(ctx context.Context) error { return t.s.SaveChecks(ctx, cs) })
}

func (t *timedStore) Check(ctx context.Context, id string) (c store.CreditCheck, err error) {
	err = t.do(ctx, "check", t.timeout, func(ctx context.Context) error { c, err = t.s.Check(ctx, id); return err })
	return c, err
}

func (t *timedStore) CheckCounts(ctx context.Context, q store.CheckQuery) (out []store.CheckCount, err error) {
	err = t.do(ctx, "check_counts", t.timeout, func(ctx context.Context) error { out, err = t.s.CheckCounts(ctx, q); return err })
	return out, err
}
