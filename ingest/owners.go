package ingest

import (
	"strings"

	"riskgraph/models"
)

// The columns and file the beneficial-owner rules added
// (docs/data-format.md): shareholdings' voting_ratio and income_ratio,
// officers' day_to_day, and controls.csv. They are optional: files
// without them load as before.

// optionalFraction parses an optional ratio: nil when the value is empty.
func optionalFraction(field, s string) (*float64, *fieldError) {
	if s == "" {
		return nil, nil
	}
	f, err := parseFraction(field, s)
	if err != nil {
		return nil, err
	}
	return &f, nil
}

// shareholdingRights parses the optional voting_ratio and income_ratio of
// a shareholdings row.
func shareholdingRights(v []string, s models.Shareholding) (models.Shareholding, *fieldError) {
	var err *fieldError
	if len(v) > shIncome {
		if s.VotingRatio, err = optionalFraction("voting_ratio", v[shVoting]); err != nil {
			return s, err
		}
		if s.IncomeRatio, err = optionalFraction("income_ratio", v[shIncome]); err != nil {
			return s, err
		}
	}
	return s, nil
}

// parseFlag parses a yes/no column: true, 1, yes, y, 是 or false, 0, no,
// n, 否; empty is false.
func parseFlag(field, s string) (bool, *fieldError) {
	switch strings.ToLower(s) {
	case "", "false", "0", "no", "n", "否":
		return false, nil
	case "true", "1", "yes", "y", "是":
		return true, nil
	}
	return false, &fieldError{Field: field, Reason: "is not a yes/no value", Fix: "write true or false (1/0, yes/no, 是/否), or leave it empty for no"}
}

// dayToDay parses an officers row's optional day_to_day column.
func dayToDay(v []string) (bool, *fieldError) {
	if len(v) <= ofDayToDay {
		return false, nil
	}
	return parseFlag("day_to_day", v[ofDayToDay])
}

// control parses a controls row.
func (p *parser) control(v []string) (models.Control, *fieldError) {
	var c models.Control
	if v[ctControllerKind] == "" {
		return c, required("controller_kind")
	}
	kind, err := parseEnum("controller_kind", v[ctControllerKind], []models.NodeKind{models.KindPerson, models.KindEnterprise})
	if err != nil {
		return c, err
	}
	c.Controller.Kind = kind
	if kind == models.KindPerson {
		c.Controller.Key, err = p.personRef("controller", v[ctController])
	} else {
		c.Controller.Key, err = p.enterpriseRef("controller", v[ctController])
	}
	if err != nil {
		return c, err
	}
	if c.Enterprise, err = p.enterpriseRef("enterprise", v[ctEnterprise]); err != nil {
		return c, err
	}
	if kind == models.KindEnterprise && c.Controller.Key == c.Enterprise {
		return c, &fieldError{Field: "controller", Reason: "is the enterprise itself", Fix: "name the person or enterprise that controls it"}
	}
	if v[ctBasis] == "" {
		return c, required("basis")
	}
	if c.Basis, err = parseEnum("basis", v[ctBasis], models.ControlBases); err != nil {
		return c, err
	}
	c.Group, c.Note = v[ctGroup], v[ctNote]
	if c.Basis == models.ControlActingInConcert && c.Group == "" {
		return c, &fieldError{Field: "group", Reason: "is empty for acting_in_concert",
			Fix: "name the acting-in-concert arrangement (e.g. the agreement's number); the parties with the same group act together"}
	}
	if c.Since, err = p.parseDate("since", v[ctSince]); err != nil {
		return c, err
	}
	if c.Until, err = p.parseDate("until", v[ctUntil]); err != nil {
		return c, err
	}
	if !c.Since.IsZero() && !c.Until.IsZero() && c.Until.Before(c.Since.Time) {
		return c, &fieldError{Field: "until", Reason: "is before since", Fix: "give the end on or after the start, or leave until empty while in force"}
	}
	return c, nil
}
