package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// CreditReport is one issued credit report of an entity (package report,
// docs/credit-report.md): the document exactly as issued (Body, its
// canonical JSON) and the fields look-ups need. An issued report is a
// proof of what was handed over, so it is never replaced: saving a number
// that exists is ErrInvalid.
type CreditReport struct {
	// Number is the report's number, printed on every page.
	Number  string    `json:"number"`
	Created time.Time `json:"created"`
	// Subject is "enterprise:<key>".
	Subject string `json:"subject"`
	// KeyID is the API key id of the caller that had it issued.
	KeyID string `json:"key_id"`
	// Run is the engine run whose scores it shows; Catalogue the measures
	// catalogue's version.
	Run       string `json:"run"`
	Catalogue string `json:"catalogue"`
	// SHA256 is the hex SHA-256 of the canonical JSON (report.SealCredit).
	SHA256 string `json:"sha256"`
	// Body is the issued document (JSON).
	Body json.RawMessage `json:"-"`
}

// CreditReportStore keeps issued credit reports; part of Store.
type CreditReportStore interface {
	// SaveCreditReport stores a new report durably. A report without a
	// number, subject, hash or body, or with a number already stored, is
	// ErrInvalid.
	SaveCreditReport(ctx context.Context, r CreditReport) error
	// CreditReport returns one report with its body, or ErrNotFound.
	CreditReport(ctx context.Context, number string) (CreditReport, error)
}

// ValidateCreditReport checks a new report before it is stored.
func ValidateCreditReport(r CreditReport) error {
	switch {
	case r.Number == "" || r.Subject == "" || r.SHA256 == "":
		return fmt.Errorf("%w: credit report: number, subject and sha256 are required", ErrInvalid)
	case len(r.Body) == 0:
		return fmt.Errorf("%w: credit report %q has no body", ErrInvalid, r.Number)
	}
	return nil
}
