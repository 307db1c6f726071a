package store

import (
	"context"

	"riskgraph/models"
)

// SAME_AS in traversals (docs/risk-model.md "SAME_AS"): the enterprises
// joined by confirmed SAME_AS links are one entity. A traversal that
// reaches one member reaches every member at the same distance (a SAME_AS
// link costs no hop), expands their relationships as its own, and shows
// the SAME_AS edges. Only enterprises have SAME_AS links.

// maxSameAsRounds bounds the rounds of one closure: a SAME_AS set is a
// handful of enterprises, joined in a chain at worst.
const maxSameAsRounds = 32

// sameAsHop is a member found by a closure: the node it was reached from,
// by which link, and in which round (1 for the partners of the start).
type sameAsHop struct {
	member models.Ref
	from   models.Ref
	edge   Edge
	round  int
}

// sameAsClosure finds the SAME_AS partners of start (transitively) that
// known does not already hold, round by round, and returns each with the
// links that reached it (a member reached from two nodes of the round
// before appears twice), every SAME_AS edge met, and the nodes met. It
// asks the reader once per round; a start without partners costs one call.
func sameAsClosure(ctx context.Context, r Expander, start []models.Ref, known func(models.Ref) bool) ([]sameAsHop, []Edge, map[models.Ref]Node, error) {
	var cur []models.Ref
	for _, s := range start {
		if s.Kind == models.KindEnterprise {
			cur = append(cur, s)
		}
	}
	var hops []sameAsHop
	var all []Edge
	nodes := map[models.Ref]Node{}
	inRound := map[models.Ref]int{}
	for _, s := range cur {
		inRound[s] = 0
	}
	for round := 1; round <= maxSameAsRounds && len(cur) > 0; round++ {
		edges, met, err := r.Expand(ctx, cur, []models.RelType{models.RelSameAs})
		if err != nil {
			return nil, nil, nil, err
		}
		sortEdges(edges)
		var next []models.Ref
		for _, e := range edges {
			if e.Type != models.RelSameAs {
				continue
			}
			all = append(all, e)
			for _, u := range []models.Ref{e.From, e.To} {
				if ru, ok := inRound[u]; !ok || ru != round-1 {
					continue
				}
				v := e.Other(u)
				rv, seen := inRound[v]
				if !seen {
					if known(v) {
						continue
					}
					inRound[v], rv = round, round
					nodes[v] = met[v]
					next = append(next, v)
				}
				if rv == round {
					hops = append(hops, sameAsHop{member: v, from: u, edge: e, round: round})
				}
			}
		}
		sortRefs(next)
		cur = next
	}
	return hops, all, nodes, nil
}

// members returns the distinct members of hops, in the order first found.
func members(hops []sameAsHop) []models.Ref {
	seen := map[models.Ref]bool{}
	var out []models.Ref
	for _, h := range hops {
		if !seen[h.member] {
			seen[h.member] = true
			out = append(out, h.member)
		}
	}
	return out
}
