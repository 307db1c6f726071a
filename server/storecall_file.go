package server

import (
	"context"

	"riskgraph/store"
)

// The timed store's credit-file calls (store.CreditFileStore).

func (t *timedStore) SaveCommitment(ctx context.Context, c store.Commitment) error {
	return t.do(ctx, "save_commitment", t.timeout, func(ctx context.Context) error { return t.s.SaveCommitment(ctx, c) })
}

func (t *timedStore) Commitments(ctx context.Context, subject string) (out []store.Commitment, err error) {
	err = t.do(ctx, "commitments", t.timeout, func(ctx context.Context) error { out, err = t.s.Commitments(ctx, subject); return err })
	return out, err
}

func (t *timedStore) FileObjection(ctx context.Context, o store.Objection) error {
	return t.do(ctx, "file_objection", t.timeout, func(ctx context.Context) error { return t.s.FileObjection(ctx, o) })
}

func (t *timedStore) DecideObjection(ctx context.Context, id string, d store.ObjectionDecision) (o store.Objection, err error) {
	err = t.do(ctx, "decide_objection", t.timeout, func(ctx context.Context) error { o, err = t.s.DecideObjection(ctx, id, d); return err })
	return o, err
}

func (t *timedStore) SaveRepair(ctx context.Context, r store.Repair) error {
	return t.do(ctx, "save_repair", t.timeout, func(ctx context.Context) error { return t.s.SaveRepair(ctx, r) })
}

func (t *timedStore) RecordFiles(ctx context.Context, ids []string) (os []store.Objection, rs []store.Repair, err error) {
	err = t.do(ctx, "record_files", t.slow, func(ctx context.Context) error { os, rs, err = t.s.RecordFiles(ctx, ids); return err })
	return os, rs, err
}
