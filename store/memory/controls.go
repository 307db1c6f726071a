package memory

import (
	"riskgraph/models"
	"riskgraph/store"
)

// What the beneficial-owner rules add to the rows (docs/beneficial-owners.md):
// voting and income ratios of the few holdings where they differ from the
// equity, the officers marked as managing day to day, and the controls
// (agreements, acting in concert, general partners). The first two are
// rare, so they are kept beside the rows (as the match scores are) rather
// than widening every row.

// shareRights are a holding's voting and income ratios where given.
type shareRights struct {
	voting, income *float64
}

// controlRow is a CONTROLS relationship.
type controlRow struct {
	from, to     nodeID
	basis, group uint32 // interned
	note         string
	since, until day
}

// A control's identity is its controller, enterprise and basis.

// setRights keeps or clears the voting and income ratios of holding slot.
func (g *graph) setRights(slot int32, s *models.Shareholding) {
	if s.VotingRatio == nil && s.IncomeRatio == nil {
		if g.rights != nil {
			delete(g.rights, slot)
		}
		return
	}
	if g.rights == nil {
		g.rights = map[int32]shareRights{}
	}
	r := shareRights{}
	if s.VotingRatio != nil {
		v := *s.VotingRatio
		r.voting = &v
	}
	if s.IncomeRatio != nil {
		v := *s.IncomeRatio
		r.income = &v
	}
	g.rights[slot] = r
}

// withRights adds holding slot's voting and income ratios to s.
func (g *graph) withRights(slot int32, s models.Shareholding) models.Shareholding {
	if r, ok := g.rights[slot]; ok {
		if r.voting != nil {
			v := *r.voting
			s.VotingRatio = &v
		}
		if r.income != nil {
			v := *r.income
			s.IncomeRatio = &v
		}
	}
	return s
}

// setDayToDay keeps or clears the day-to-day mark of role slot.
func (g *graph) setDayToDay(slot int32, on bool) {
	if !on {
		if g.dayToDay != nil {
			delete(g.dayToDay, slot)
		}
		return
	}
	if g.dayToDay == nil {
		g.dayToDay = map[int32]bool{}
	}
	g.dayToDay[slot] = true
}

// putControl upserts a control.
func (g *graph) putControl(c *models.Control) {
	row := controlRow{from: g.ensure(c.Controller), to: g.ensureEnterprise(c.Enterprise),
		basis: g.strs.code(string(c.Basis)), group: g.strs.code(c.Group), note: c.Note,
		since: g.dates.put(c.Since), until: g.dates.put(c.Until)}
	upsertRel(g, &g.controls, row.from, row.to, relControls, func(r *controlRow) bool { return r.basis == row.basis }, row)
}

// control materialises control row i.
func (g *graph) control(i int32) models.Control {
	r := &g.controls[i]
	return models.Control{Controller: g.ref(r.from), Enterprise: g.nodeKey(r.to),
		Basis: models.ControlBasis(g.strs.str(r.basis)), Group: g.strs.str(r.group), Note: r.note,
		Since: g.dates.get(r.since), Until: g.dates.get(r.until)}
}

// controlEdge renders control row i as an edge.
func (g *graph) controlEdge(i int32) store.Edge { return store.ControlEdge(g.control(i)) }
