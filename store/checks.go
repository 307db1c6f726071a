package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// CreditCheck is one stored credit check (package credit, docs/credit-checks.md):
// the answer exactly as the caller received it (Body, JSON) and the fields
// that look-ups and counts need. A check is a proof of what an approving
// officer was told, so it is never replaced: saving an id that exists is
// ErrInvalid.
type CreditCheck struct {
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
	// KeyID is the API key id of the caller.
	KeyID    string `json:"key_id"`
	Scenario string `json:"scenario"`
	// Subject is "enterprise:<key>" or "person:<pid>" (never an identity number).
	Subject string `json:"subject"`
	Verdict string `json:"verdict"`
	// Catalogue is the version of the measures catalogue that answered.
	Catalogue string `json:"catalogue"`
	// EvidenceSHA256 is the hex SHA-256 of the answer's canonical evidence.
	EvidenceSHA256 string `json:"evidence_sha256"`
	// Body is the answer as sent (JSON).
	Body json.RawMessage `json:"-"`
}

// CheckQuery selects checks for CheckCounts. Empty fields do not filter.
type CheckQuery struct {
	Scenario string
	Since    time.Time // Created >= Since
}

// CheckCount is the number of checks of one scenario with one verdict.
type CheckCount struct {
	Scenario string `json:"scenario"`
	Verdict  string `json:"verdict"`
	Count    int    `json:"count"`
}

// CheckStore keeps credit checks; part of Store.
type CheckStore interface {
	// SaveChecks stores new checks durably, all or none. A check without
	// an id, scenario, subject, verdict or body, an id given twice, or an
	// id already stored is ErrInvalid.
	SaveChecks(ctx context.Context, cs []CreditCheck) error
	// Check returns one check with its body, or ErrNotFound.
	Check(ctx context.Context, id string) (CreditCheck, error)
	// CheckCounts counts the checks matching q by scenario and verdict,
	// ordered by scenario, then verdict.
	CheckCounts(ctx context.Context, q CheckQuery) ([]CheckCount, error)
}

// ValidateChecks checks a set of new checks before any is stored.
func ValidateChecks(cs []CreditCheck) error {
	seen := make(map[string]bool, len(cs))
	for i, c := range cs {
		switch {
		case c.ID == "" || c.Scenario == "" || c.Subject == "" || c.Verdict == "":
			return fmt.Errorf("%w: check %d: id, scenario, subject and verdict are required", ErrInvalid, i)
		case len(c.Body) == 0:
			return fmt.Errorf("%w: check %q has no body", ErrInvalid, c.ID)
		case seen[c.ID]:
			return fmt.Errorf("%w: check %q given twice", ErrInvalid, c.ID)
		}
		seen[c.ID] = true
	}
	return nil
}

// MatchCheck reports whether c satisfies q.
func MatchCheck(c CreditCheck, q CheckQuery) bool {
	return (q.Scenario == "" || c.Scenario == q.Scenario) && (q.Since.IsZero() || !c.Created.Before(q.Since))
}

// SortCheckCounts orders counts by scenario, then verdict.
func SortCheckCounts(cs []CheckCount) {
	slices.SortFunc(cs, func(a, b CheckCount) int {
		if c := strings.Compare(a.Scenario, b.Scenario); c != 0 {
			return c
		}
		return strings.Compare(a.Verdict, b.Verdict)
	})
}
