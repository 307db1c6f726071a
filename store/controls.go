package store

import (
	"fmt"

	"riskgraph/models"
)

// ControlEdge renders a control (agreement, acting in concert, general
// partner) as a subgraph edge, controller → enterprise.
func ControlEdge(c models.Control) Edge {
	props := map[string]any{"basis": string(c.Basis)}
	if c.Group != "" {
		props["group"] = c.Group
	}
	if c.Note != "" {
		props["note"] = c.Note
	}
	putDate(props, "since", c.Since)
	putDate(props, "until", c.Until)
	return Edge{From: c.Controller, To: models.EnterpriseRef(c.Enterprise), Type: models.RelControls, Props: props}
}

// ControlOf reads a control back from its edge (the inverse of ControlEdge).
func ControlOf(e Edge) models.Control {
	c := models.Control{Controller: e.From, Enterprise: e.To.Key}
	c.Basis = models.ControlBasis(propString(e.Props, "basis"))
	c.Group = propString(e.Props, "group")
	c.Note = propString(e.Props, "note")
	c.Since, _ = models.ParseDate(propString(e.Props, "since"))
	c.Until, _ = models.ParseDate(propString(e.Props, "until"))
	return c
}

func propString(p map[string]any, k string) string {
	s, _ := p[k].(string)
	return s
}

// validateControls checks the controls of a batch (Batch.Validate).
func validateControls(cs []models.Control) error {
	bad := func(i int, format string, args ...any) error {
		return fmt.Errorf("%w: controls[%d]: %s", ErrInvalid, i, fmt.Sprintf(format, args...))
	}
	for i, c := range cs {
		switch {
		case c.Controller.Key == "" || c.Enterprise == "":
			return bad(i, "controller and enterprise keys are required")
		case c.Controller.Kind != models.KindEnterprise && c.Controller.Kind != models.KindPerson:
			return bad(i, "controller kind %q: use enterprise or person", c.Controller.Kind)
		case c.Controller.Kind == models.KindEnterprise && c.Controller.Key == c.Enterprise:
			return bad(i, "an enterprise cannot control itself; name another controller")
		case !c.Basis.Valid():
			return bad(i, "basis %q: use agreement, acting_in_concert, general_partner or other", c.Basis)
		case c.Basis == models.ControlActingInConcert && c.Group == "":
			return bad(i, "acting_in_concert needs a group naming the arrangement (the parties with the same group act together)")
		case !c.Until.IsZero() && !c.Since.IsZero() && c.Until.Before(c.Since.Time):
			return bad(i, "until %s is before since %s", c.Until, c.Since)
		}
	}
	return nil
}
