package neo4j

import (
	"context"
	"encoding/json"
	"fmt"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"riskgraph/store"
)

var _ store.CheckStore = (*Store)(nil)

// Statements for credit checks (:CreditCheck {id, created, key_id,
// scenario, subject, verdict, catalogue, evidence_sha256, body}).
const (
	qSchemaCreditCheckID      = "schema_credit_check_id"
	qSchemaCreditCheckCreated = "schema_credit_check_created"
	qCreditChecksCreate       = "credit_checks_create"
	qCreditCheckGet           = "credit_check_get"
	qCreditCheckCounts        = "credit_check_counts"
)

// checkRowsPerStatement bounds the rows (and so the bytes) one statement sends.
const checkRowsPerStatement = 500

// SaveChecks creates the checks in one transaction: all or none.
func (s *Store) SaveChecks(ctx context.Context, cs []store.CreditCheck) error {
	if len(cs) == 0 {
		return nil
	}
	if err := store.ValidateChecks(cs); err != nil {
		return err
	}
	rows := make([]any, len(cs))
	for i, c := range cs {
		rows[i] = map[string]any{"id": c.ID, "created": c.Created.UTC(), "key_id": c.KeyID, "scenario": c.Scenario,
			"subject": c.Subject, "verdict": c.Verdict, "catalogue": c.Catalogue, "evidence_sha256": c.EvidenceSHA256,
			"body": string(c.Body)}
	}
	return s.write(ctx, "save credit checks", func(tx driver.ManagedTransaction) error {
		for lo := 0; lo < len(rows); lo += checkRowsPerStatement {
			if _, err := runIn(ctx, tx, qCreditChecksCreate, map[string]any{"rows": rows[lo:min(lo+checkRowsPerStatement, len(rows))]}); err != nil {
				return err
			}
		}
		return nil
	})
}

// Check returns one check with its body.
func (s *Store) Check(ctx context.Context, id string) (store.CreditCheck, error) {
	var out store.CreditCheck
	found := false
	err := s.collect(ctx, "read credit check", qCreditCheckGet, map[string]any{"id": id},
		func() { found = false },
		func(rec *driver.Record) error {
			p, _ := rec.Values[0].(map[string]any)
			out = store.CreditCheck{ID: str(p, "id"), Created: timeOf(p["created"]), KeyID: str(p, "key_id"),
				Scenario: str(p, "scenario"), Subject: str(p, "subject"), Verdict: str(p, "verdict"),
				Catalogue: str(p, "catalogue"), EvidenceSHA256: str(p, "evidence_sha256"), Body: json.RawMessage(str(p, "body"))}
			found = true
			return nil
		})
	if err != nil {
		return store.CreditCheck{}, err
	}
	if !found {
		return store.CreditCheck{}, fmt.Errorf("credit check %q: %w", id, store.ErrNotFound)
	}
	return out, nil
}

// CheckCounts counts checks by scenario and verdict.
func (s *Store) CheckCounts(ctx context.Context, q store.CheckQuery) ([]store.CheckCount, error) {
	params := map[string]any{"scenario": q.Scenario, "since": nil}
	if !q.Since.IsZero() {
		params["since"] = q.Since.UTC()
	}
	out := []store.CheckCount{}
	err := s.collect(ctx, "count credit checks", qCreditCheckCounts, params,
		func() { out = out[:0] },
		func(rec *driver.Record) error {
			sc, _ := rec.Values[0].(string)
			v, _ := rec.Values[1].(string)
			n, _ := rec.Values[2].(int64)
			out = append(out, store.CheckCount{Scenario: sc, Verdict: v, Count: int(n)})
			return nil
		})
	return out, err
}
