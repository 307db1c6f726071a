package neo4j

import (
	"context"
	"errors"
	"fmt"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"riskgraph/models"
	"riskgraph/store"
)

var (
	_ store.LicenceReader     = (*Store)(nil)
	_ store.CreditReportStore = (*Store)(nil)
)

// Statements for administrative licences (:Licence {id, enterprise, …},
// joined to nothing) and issued credit reports (:CreditReport {number,
// created, subject, key_id, run, catalogue, sha256, body}).
const (
	qSchemaLicenceID          = "schema_licence_id"
	qSchemaLicenceEnterprise  = "schema_licence_enterprise"
	qLicenceUpsert            = "licence_upsert"
	qLicencesOfEnterprise     = "licences_of_enterprise"
	qSchemaCreditReportNumber = "schema_credit_report_number"
	qCreditReportCreate       = "credit_report_create"
	qCreditReportGet          = "credit_report_get"
)

// licenceSteps is the statement writing a batch's licences (planBatch):
// the last row of an id wins, as in the memory store.
func licenceSteps(ls []models.Licence) []step {
	if len(ls) == 0 {
		return nil
	}
	last := make(map[string]int, len(ls))
	for i, l := range ls {
		last[l.ID] = i
	}
	rows := make([]any, 0, len(last))
	var holders []any
	for i, l := range ls {
		if last[l.ID] != i {
			holders = append(holders, map[string]any{"key": l.Enterprise})
			continue
		}
		rows = append(rows, map[string]any{"id": l.ID, "enterprise": l.Enterprise, "number": optString(l.Number),
			"name": l.Name, "doc_no": optString(l.DocNo), "content": optString(l.Content), "authority": optString(l.Authority),
			"decided": optDate(l.Decided), "valid_from": optDate(l.ValidFrom), "valid_to": optDate(l.ValidTo),
			"match_score": optNumber(l.MatchScore)})
	}
	return nonEmpty([]step{{qEnterprisePlaceholder, holders}, {qLicenceUpsert, rows}})
}

// Licences returns an enterprise's licences, newest decision first.
func (s *Store) Licences(ctx context.Context, enterprise string) ([]models.Licence, error) {
	var out []models.Licence
	err := s.collect(ctx, "read licences", qLicencesOfEnterprise, map[string]any{"key": enterprise},
		func() { out = out[:0] },
		func(rec *driver.Record) error {
			p, _ := rec.Values[0].(map[string]any)
			score, _ := p["match_score"].(float64)
			out = append(out, models.Licence{ID: str(p, "id"), Enterprise: str(p, "enterprise"), Number: str(p, "number"),
				Name: str(p, "name"), DocNo: str(p, "doc_no"), Content: str(p, "content"), Authority: str(p, "authority"),
				Decided: dateOf(p["decided"]), ValidFrom: dateOf(p["valid_from"]), ValidTo: dateOf(p["valid_to"]), MatchScore: score})
			return nil
		})
	if err != nil {
		return nil, err
	}
	store.SortLicences(out)
	return out, nil
}

// SaveCreditReport creates an issued report.
func (s *Store) SaveCreditReport(ctx context.Context, r store.CreditReport) error {
	if err := store.ValidateCreditReport(r); err != nil {
		return err
	}
	if _, err := s.CreditReport(ctx, r.Number); err == nil {
		return fmt.Errorf("%w: credit report %q exists already; an issued report is never replaced", store.ErrInvalid, r.Number)
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	params := map[string]any{"number": r.Number, "created": r.Created.UTC(), "subject": r.Subject, "key_id": r.KeyID,
		"run": r.Run, "catalogue": r.Catalogue, "sha256": r.SHA256, "body": string(r.Body)}
	return s.write(ctx, "save credit report", func(tx driver.ManagedTransaction) error {
		_, err := runIn(ctx, tx, qCreditReportCreate, params)
		return err
	})
}

// CreditReport returns one issued report with its body.
func (s *Store) CreditReport(ctx context.Context, number string) (store.CreditReport, error) {
	var out store.CreditReport
	found := false
	err := s.collect(ctx, "read credit report", qCreditReportGet, map[string]any{"number": number},
		func() { found = false },
		func(rec *driver.Record) error {
			p, _ := rec.Values[0].(map[string]any)
			out = store.CreditReport{Number: str(p, "number"), Created: timeOf(p["created"]), Subject: str(p, "subject"),
				KeyID: str(p, "key_id"), Run: str(p, "run"), Catalogue: str(p, "catalogue"), SHA256: str(p, "sha256"),
				Body: []byte(str(p, "body"))}
			found = true
			return nil
		})
	if err != nil {
		return store.CreditReport{}, err
	}
	if !found {
		return store.CreditReport{}, fmt.Errorf("credit report %q: %w", number, store.ErrNotFound)
	}
	return out, nil
}
