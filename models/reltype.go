package models

import (
	"fmt"
	"strings"
)

// RelType is a relationship type of the graph.
type RelType string

// Relationship types.
const (
	RelHoldsShares RelType = "HOLDS_SHARES"
	RelLegalRepOf  RelType = "LEGAL_REP_OF"
	RelOfficerOf   RelType = "OFFICER_OF"
	RelBranchOf    RelType = "BRANCH_OF"
	RelHasRecord   RelType = "HAS_RECORD"
	RelRelatedTo   RelType = "RELATED_TO"
	// RelSameAs links two enterprises an inspector confirmed to be one
	// company (store.XrefStore); traversals and the engine treat a SAME_AS
	// set as one entity.
	RelSameAs RelType = "SAME_AS"
	// RelControls is control by agreement, acting in concert or as a
	// general partner (models.Control).
	RelControls RelType = "CONTROLS"
)

// RelTypes lists every relationship type.
var RelTypes = []RelType{RelHoldsShares, RelLegalRepOf, RelOfficerOf, RelBranchOf, RelHasRecord, RelRelatedTo, RelSameAs, RelControls}

// ParseRelType accepts a relationship type in any case ("holds_shares").
func ParseRelType(s string) (RelType, error) {
	for _, t := range RelTypes {
		if strings.EqualFold(strings.TrimSpace(s), string(t)) {
			return t, nil
		}
	}
	return "", fmt.Errorf("unknown relationship type %q (known: HOLDS_SHARES, LEGAL_REP_OF, OFFICER_OF, BRANCH_OF, HAS_RECORD, RELATED_TO, SAME_AS, CONTROLS)", s)
}

// RoleRelType returns the relationship type that stores a role of kind k.
func RoleRelType(k RoleKind) RelType {
	if k == RoleLegalRep {
		return RelLegalRepOf
	}
	return RelOfficerOf
}
