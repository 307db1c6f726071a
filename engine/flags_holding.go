package engine

import "strconv"

// detectHoldingCycles finds circular shareholding (a strongly connected
// component of ≥ 3 enterprises in the holding graph) and mutual holding
// (two enterprises holding shares in each other).
func detectHoldingCycles(g *Graph, o *Ownership, _ *FlagParams, today Day) []Finding {
	var out []Finding
	for i := range o.SCCs.Len() {
		c := o.SCCs.At(i)
		if len(c) < 2 {
			continue
		}
		if len(c) >= 3 {
			nodes := sortedUnique(append([]int32(nil), c...))
			out = append(out, Finding{Kind: FlagCircularHolding, Nodes: nodes, Flagged: nodes, Count: len(nodes), Threshold: 3, From: NoDay, To: NoDay,
				Value: strconv.Itoa(len(nodes)) + " enterprises"})
		}
		// Mutual pairs inside the component.
		for _, a := range c {
			for i := g.OutOff[a]; i < g.OutOff[a+1]; i++ {
				e := &g.Edges[i]
				b := e.To
				if !holdingEdge(e, today) || g.Kinds[b] != NodeEnterprise || b <= a || o.SCC[b] != o.SCC[a] {
					continue
				}
				for j := g.OutOff[b]; j < g.OutOff[b+1]; j++ {
					if back := &g.Edges[j]; back.To == a && holdingEdge(back, today) {
						out = append(out, Finding{Kind: FlagMutualHolding, Nodes: []int32{a, b}, Flagged: []int32{a, b}, Count: 2, Threshold: 2, From: NoDay, To: NoDay})
						break
					}
				}
			}
		}
	}
	return out
}
