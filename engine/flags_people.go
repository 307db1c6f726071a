package engine

import (
	"slices"
	"strconv"

	"riskgraph/models"
)

// legalRepEnterprises returns the distinct enterprises v is or was legal
// representative of (appointments that started by today).
func legalRepEnterprises(g *Graph, v int32, today Day) []int32 {
	var ents []int32
	for i := g.OutOff[v]; i < g.OutOff[v+1]; i++ {
		e := &g.Edges[i]
		if e.Type == EdgeLegalRep && (e.Since == NoDay || e.Since <= today) {
			ents = append(ents, e.To)
		}
	}
	return sortedUnique(ents)
}

// detectLegalReps finds serial legal representatives (legal representative
// of ≥ SerialLegalRepMin enterprises) and registration bursts (≥ BurstMin of
// the enterprises they lead established within BurstDays days).
func detectLegalReps(g *Graph, _ *Ownership, fp *FlagParams, today Day) []Finding {
	var out []Finding
	for v := int32(0); v < int32(g.N()); v++ {
		if g.Kinds[v] != NodePerson {
			continue
		}
		// Most persons lead fewer enterprises than either threshold: count
		// their appointments (at least as many as the distinct enterprises)
		// before collecting anything.
		least := min(fp.SerialLegalRepMin, fp.BurstMin)
		k := 0
		for i := g.OutOff[v]; i < g.OutOff[v+1] && k < least; i++ {
			if e := &g.Edges[i]; e.Type == EdgeLegalRep && (e.Since == NoDay || e.Since <= today) {
				k++
			}
		}
		if k < least {
			continue
		}
		ents := legalRepEnterprises(g, v, today)
		if len(ents) < least {
			continue
		}
		// The enterprises with an establishment date, oldest first.
		dated := slices.Clone(ents)
		dated = slices.DeleteFunc(dated, func(e int32) bool { return g.Established[e] == NoDay })
		slices.SortStableFunc(dated, func(a, b int32) int { return int(g.Established[a] - g.Established[b]) })
		if len(ents) >= fp.SerialLegalRepMin {
			// From and To: the establishment dates of the oldest and newest.
			from, to := NoDay, NoDay
			if len(dated) > 0 {
				from, to = g.Established[dated[0]], g.Established[dated[len(dated)-1]]
			}
			out = append(out, Finding{Kind: FlagSerialLegalRep, Nodes: append([]int32{v}, ents...),
				Flagged: append([]int32{v}, ents...), Count: len(ents), Threshold: fp.SerialLegalRepMin,
				From: from, To: to, Value: strconv.Itoa(len(ents)) + " enterprises"})
		}
		// Sliding window over establishment dates.
		bestLo, bestHi := -1, -1
		lo := 0
		for hi := range dated {
			for g.Established[dated[hi]]-g.Established[dated[lo]] >= Day(fp.BurstDays) {
				lo++
			}
			if hi-lo+1 >= fp.BurstMin && (bestLo < 0 || hi-lo > bestHi-bestLo) {
				bestLo, bestHi = lo, hi
			}
		}
		if bestLo >= 0 {
			win := slices.Clone(dated[bestLo : bestHi+1])
			out = append(out, Finding{Kind: FlagRegistrationBurst, Nodes: append([]int32{v}, win...),
				Flagged: append([]int32{v}, win...), Count: len(win), Threshold: fp.BurstMin,
				From: g.Established[win[0]], To: g.Established[win[len(win)-1]],
				Value: strconv.Itoa(len(win)) + " enterprises within " + strconv.Itoa(fp.BurstDays) + " days"})
		}
	}
	return out
}

// taintEvent returns when enterprise e was tainted within the restricted
// window — the latest serious_violation decision within RestrictedYears, or,
// for a revoked enterprise (whose revocation date the data model does not
// hold), the latest record's decision as the earliest possible date — the
// evidence record, and whether e is tainted at all.
func taintEvent(g *Graph, e int32, windowStart, today Day) (Day, int32, bool) {
	event, rec := NoDay, int32(-1)
	for _, ri := range g.RecordsOf(e) {
		r := &g.Records[ri]
		if g.RecordKinds[r.Kind] == "serious_violation" && g.counts(ri, today) && r.Decided >= windowStart && r.Decided > event {
			event, rec = r.Decided, ri
		}
	}
	if rec >= 0 {
		return event, rec, true
	}
	if g.StatusOf(e) != "revoked" {
		return NoDay, -1, false
	}
	for _, ri := range g.RecordsOf(e) {
		if r := &g.Records[ri]; g.counts(ri, today) && r.Decided > event {
			event, rec = r.Decided, ri
		}
	}
	return event, rec, true
}

// detectRestricted finds restricted appointments: a person who was legal
// representative or officer of an enterprise put on the serious-violation
// list (or revoked) within the last RestrictedYears years, and whose current
// appointment at another enterprise started after that event and within the
// window. The restriction reaches, through a relation of a kind in
// RestrictedRelations (default: spouse), the related person too — the
// nominee a restricted person puts forward — whose finding names the
// restricted person as evidence: Nodes are the appointed person, the
// tainted enterprise, [the restricted person, when reached through a
// relation,] then the later enterprises.
func detectRestricted(g *Graph, _ *Ownership, fp *FlagParams, today Day) []Finding {
	windowStart := today - Day(fp.RestrictedYears*365+fp.RestrictedYears/4)
	var kinds [8]bool // by index in models.RelationKinds
	for _, k := range fp.RestrictedRelations {
		if i := slices.Index(models.RelationKinds, models.RelationKind(k)); i >= 0 && i < len(kinds) {
			kinds[i] = true
		}
	}
	var out []Finding
	for e1 := int32(0); e1 < int32(g.N()); e1++ {
		if g.Kinds[e1] != NodeEnterprise || g.RecOff[e1] == g.RecOff[e1+1] && g.StatusOf(e1) != "revoked" {
			continue
		}
		event, rec, ok := taintEvent(g, e1, windowStart, today)
		if !ok {
			continue
		}
		persons := map[int32]bool{}
		var order []int32
		for _, ei := range g.InEdges(e1) {
			e := &g.Edges[ei]
			if (e.Type == EdgeLegalRep || e.Type == EdgeOfficer) && (e.Since == NoDay || event == NoDay || e.Since <= event) && !persons[e.From] {
				persons[e.From] = true
				order = append(order, e.From)
			}
		}
		// The related persons each restricted person reaches (not those
		// restricted themselves), with the person who reached them.
		type reached struct{ person, via int32 }
		var related []reached
		seen := map[int32]bool{}
		for _, p := range order {
			relatedOf(g, p, func(q int32, kind uint8) {
				if int(kind) < len(kinds) && kinds[kind] && !persons[q] && !seen[q] {
					seen[q] = true
					related = append(related, reached{q, p})
				}
			})
		}
		all := make([]reached, 0, len(order)+len(related))
		for _, p := range order {
			all = append(all, reached{p, -1})
		}
		all = append(all, related...)
		for _, x := range all {
			p := x.person
			var later []int32
			to := NoDay
			for i := g.OutOff[p]; i < g.OutOff[p+1]; i++ {
				e := &g.Edges[i]
				if (e.Type != EdgeLegalRep && e.Type != EdgeOfficer) || e.To == e1 || e.Since == NoDay ||
					e.Since < windowStart || e.Since > today || (event != NoDay && e.Since <= event) ||
					(e.Until != NoDay && e.Until <= today) {
					continue
				}
				later = append(later, e.To)
				to = max(to, e.Since)
			}
			if len(later) == 0 {
				continue
			}
			later = sortedUnique(later)
			nodes := []int32{p, e1}
			value := "within " + strconv.Itoa(fp.RestrictedYears) + " years"
			if x.via >= 0 {
				nodes = append(nodes, x.via)
				value += viaRelation
			}
			f := Finding{Kind: FlagRestrictedAppointment, Nodes: append(nodes, later...),
				Flagged: append([]int32{p}, later...), Count: len(later), Threshold: fp.RestrictedYears,
				From: event, To: to, Value: value}
			if rec >= 0 {
				f.Records = []int32{rec}
			}
			out = append(out, f)
		}
	}
	return out
}

// viaRelation ends the value of a restricted appointment found through a
// relation (the restricted person is then Nodes[2]).
const viaRelation = ", through a related person"

// relatedOf calls fn for every person related to person p (RELATED_TO in
// either direction) with the relation's kind index.
func relatedOf(g *Graph, p int32, fn func(q int32, kind uint8)) {
	for i := g.OutOff[p]; i < g.OutOff[p+1]; i++ {
		if e := &g.Edges[i]; e.Type == EdgeRelated {
			fn(e.To, e.Title)
		}
	}
	for _, ei := range g.InEdges(p) {
		if e := &g.Edges[ei]; e.Type == EdgeRelated {
			fn(e.From, e.Title)
		}
	}
}
