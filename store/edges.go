package store

import (
	"fmt"

	"riskgraph/models"
)

// ShareholdingEdge renders a shareholding as a subgraph edge.
func ShareholdingEdge(s models.Shareholding) Edge {
	props := map[string]any{"ratio": s.Ratio}
	if s.Amount != 0 {
		props["amount"] = s.Amount
	}
	putDate(props, "since", s.Since)
	putScore(props, s.MatchScore)
	if s.VotingRatio != nil {
		props["voting_ratio"] = *s.VotingRatio
	}
	if s.IncomeRatio != nil {
		props["income_ratio"] = *s.IncomeRatio
	}
	return Edge{From: s.Holder, To: models.EnterpriseRef(s.Enterprise), Type: models.RelHoldsShares, Props: props}
}

// RoleEdge renders an appointment as a subgraph edge.
func RoleEdge(r models.Role) Edge {
	props := map[string]any{}
	if r.Title != "" {
		props["title"] = r.Title
	}
	if r.TitleText != "" {
		props["title_text"] = r.TitleText
	}
	putDate(props, "since", r.Since)
	putDate(props, "until", r.Until)
	putScore(props, r.MatchScore)
	if r.DayToDay {
		props["day_to_day"] = true
	}
	if len(props) == 0 {
		props = nil
	}
	return Edge{From: models.PersonRef(r.Person), To: models.EnterpriseRef(r.Enterprise), Type: models.RoleRelType(r.Kind), Props: props}
}

// BranchEdge renders a branch relationship as a subgraph edge.
func BranchEdge(b models.Branch) Edge {
	var props map[string]any
	if b.MatchScore != 0 {
		props = map[string]any{}
		putScore(props, b.MatchScore)
	}
	return Edge{From: models.EnterpriseRef(b.Branch), To: models.EnterpriseRef(b.Parent), Type: models.RelBranchOf, Props: props}
}

// RelationEdge renders a person-to-person relation as a subgraph edge, A
// to B of its canonical form.
func RelationEdge(r models.Relation) Edge {
	r = r.Canonical()
	props := map[string]any{"kind": string(r.Kind)}
	putDate(props, "since", r.Since)
	return Edge{From: models.PersonRef(r.A), To: models.PersonRef(r.B), Type: models.RelRelatedTo, Props: props}
}

// RecordEdge renders the link from a record's subject to the record.
func RecordEdge(r models.Record) Edge {
	return Edge{From: r.Subject, To: models.RecordRef(r.ID), Type: models.RelHasRecord}
}

// putScore sets match_score, the matcher's score of a reference the loader
// resolved from a name or an old code; absent when the row named a key.
func putScore(props map[string]any, score float64) {
	if score != 0 {
		props["match_score"] = score
	}
}

func putDate(props map[string]any, name string, d models.Date) {
	if !d.IsZero() {
		props[name] = d.String()
	}
}

// Validate checks a batch before any of it is written: every key present,
// ratios in [0,1], kinds known, an enterprise's key equal to its USCC when it
// has one. The error names the row and field and wraps ErrInvalid.
func (b *Batch) Validate() error {
	bad := func(kind string, i int, format string, args ...any) error {
		return fmt.Errorf("%w: %s[%d]: %s", ErrInvalid, kind, i, fmt.Sprintf(format, args...))
	}
	for i, e := range b.Enterprises {
		switch {
		case e.Key == "":
			return bad("enterprises", i, "key is empty; give the USCC or a source id src:<source>:<id>")
		case e.USCC != "" && e.USCC != e.Key:
			return bad("enterprises", i, "key %q differs from uscc %q; an enterprise with a USCC is keyed by it", e.Key, e.USCC)
		}
	}
	for i, p := range b.Persons {
		if p.PID == "" {
			return bad("persons", i, "pid is empty")
		}
	}
	for i, s := range b.Shareholdings {
		switch {
		case s.Enterprise == "" || s.Holder.Key == "":
			return bad("shareholdings", i, "holder and enterprise keys are required")
		case s.Holder.Kind != models.KindEnterprise && s.Holder.Kind != models.KindPerson:
			return bad("shareholdings", i, "holder kind %q: use enterprise or person", s.Holder.Kind)
		case !(s.Ratio >= 0 && s.Ratio <= 1):
			return bad("shareholdings", i, "ratio %v is outside [0,1]", s.Ratio)
		case !validScore(s.MatchScore):
			return bad("shareholdings", i, "match_score %v is outside [0,1]", s.MatchScore)
		case s.VotingRatio != nil && !(*s.VotingRatio >= 0 && *s.VotingRatio <= 1):
			return bad("shareholdings", i, "voting_ratio %v is outside [0,1]", *s.VotingRatio)
		case s.IncomeRatio != nil && !(*s.IncomeRatio >= 0 && *s.IncomeRatio <= 1):
			return bad("shareholdings", i, "income_ratio %v is outside [0,1]", *s.IncomeRatio)
		}
	}
	for i, r := range b.Roles {
		switch {
		case r.Person == "" || r.Enterprise == "":
			return bad("roles", i, "person and enterprise keys are required")
		case r.Kind != models.RoleLegalRep && r.Kind != models.RoleOfficer:
			return bad("roles", i, "role kind %q: use legal_rep or officer", r.Kind)
		case !validScore(r.MatchScore):
			return bad("roles", i, "match_score %v is outside [0,1]", r.MatchScore)
		case r.DayToDay && r.Kind != models.RoleOfficer:
			return bad("roles", i, "day_to_day is set on a %s role; mark the officer who manages day to day", r.Kind)
		}
	}
	for i, br := range b.Branches {
		if br.Branch == "" || br.Parent == "" || br.Branch == br.Parent {
			return bad("branches", i, "branch and parent keys are required and must differ")
		}
		if !validScore(br.MatchScore) {
			return bad("branches", i, "match_score %v is outside [0,1]", br.MatchScore)
		}
	}
	for i, r := range b.Relations {
		switch {
		case r.A == "" || r.B == "":
			return bad("relations", i, "both persons' pids are required")
		case r.A == r.B:
			return bad("relations", i, "a person cannot be related to themself; name two different persons")
		case !r.Kind.Valid():
			return bad("relations", i, "kind %q: use spouse, relative or other", r.Kind)
		}
	}
	if err := validateControls(b.Controls); err != nil {
		return err
	}
	for i, r := range b.Records {
		switch {
		case r.ID == "":
			return bad("records", i, "id is empty")
		case r.Subject.Key == "" || (r.Subject.Kind != models.KindEnterprise && r.Subject.Kind != models.KindPerson):
			return bad("records", i, "subject must be an enterprise or a person with a key")
		case r.Kind == "":
			return bad("records", i, "kind is empty")
		case !(r.Severity >= 0 && r.Severity <= 1):
			return bad("records", i, "severity %v is outside [0,1]", r.Severity)
		case !validScore(r.MatchScore):
			return bad("records", i, "match_score %v is outside [0,1]", r.MatchScore)
		}
	}
	return validateLicences(b.Licences)
}

// validScore reports whether a match score is in [0,1] (0: no match).
func validScore(f float64) bool { return f >= 0 && f <= 1 }
