package server

import (
	"context"

	"riskgraph/models"
	"riskgraph/store"
)

// The timed store's licence and credit-report calls (store.LicenceReader,
// store.CreditReportStore).

func (t *timedStore) Licences(ctx context.Context, key string) (out []models.Licence, err error) {
	err = t.do(ctx, "licences", t.timeout, func(ctx context.Context) error { out, err = t.s.Licences(ctx, key); return err })
	return out, err
}

func (t *timedStore) SaveCreditReport(ctx context.Context, r store.CreditReport) error {
	return t.do(ctx, "save_credit_report", t.timeout, func(ctx context.Context) error { return t.s.SaveCreditReport(ctx, r) })
}

func (t *timedStore) CreditReport(ctx context.Context, number string) (r store.CreditReport, err error) {
	err = t.do(ctx, "credit_report", t.timeout, func(ctx context.Context) error { r, err = t.s.CreditReport(ctx, number); return err })
	return r, err
}
