package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"riskgraph/models"
)

// LicenceReader reads administrative licences (行政许可); part of Store.
// Licences arrive in batches (Batch.Licences) like every other row; they
// are facts of an enterprise's credit file, kept beside the graph: no
// relationship joins them to it, so traversals, scans for the engine and
// the engine itself never see them, and they never raise risk. An
// enterprise a licence names that does not exist is created as a
// placeholder, as for records.
type LicenceReader interface {
	// Licences returns the licences of the enterprise with the given key
	// (or USCC), newest decision first, then by id.
	Licences(ctx context.Context, enterprise string) ([]models.Licence, error)
}

// validateLicences checks a batch's licences (Batch.Validate).
func validateLicences(ls []models.Licence) error {
	bad := func(i int, format string, args ...any) error {
		return fmt.Errorf("%w: licences[%d]: %s", ErrInvalid, i, fmt.Sprintf(format, args...))
	}
	for i, l := range ls {
		switch {
		case l.ID == "":
			return bad(i, "id is empty; give the source's id or the decision's document number")
		case l.Enterprise == "":
			return bad(i, "enterprise is empty; give the key or USCC of the enterprise holding the licence")
		case strings.TrimSpace(l.Name) == "":
			return bad(i, "name is empty; give the licence's name (许可证书名称)")
		case !l.ValidFrom.IsZero() && !l.ValidTo.IsZero() && l.ValidTo.Before(l.ValidFrom.Time):
			return bad(i, "valid_to %s is before valid_from %s", l.ValidTo, l.ValidFrom)
		case !validScore(l.MatchScore):
			return bad(i, "match_score %v is outside [0,1]", l.MatchScore)
		}
	}
	return nil
}

// SortLicences orders licences newest decision first, then by id.
func SortLicences(ls []models.Licence) {
	slices.SortFunc(ls, func(a, b models.Licence) int {
		if c := b.Decided.Compare(a.Decided.Time); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}
