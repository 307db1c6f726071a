package engine

// CheckCandidates lists the nodes whose credit check can find anything on
// day today (docs/credit-checks.md, "Policy simulation"): every enterprise
// or person with a record decided by then, every enterprise such a node
// leads (legal representative, officer), controls down a chain of holdings
// above threshold (controlling shareholder, actual controller) or heads
// (a branch of it), and every person who leads an enterprise with a
// record. Any other node has no record on any party a rule may read, so
// no catalogue gives it a measure. Nodes come in id order.
func CheckCandidates(g *Graph, threshold float64, today Day) []int32 {
	n := g.N()
	marked := make([]bool, n)
	for i := range g.Records {
		r := &g.Records[i]
		if r.Decided != NoDay && r.Decided <= today {
			marked[r.Subject] = true
		}
	}
	cand := make([]bool, n)
	var down []int32 // marked holders whose controlled enterprises are candidates
	for v := range n {
		if marked[v] && g.IsEntity(int32(v)) {
			cand[v] = true
			down = append(down, int32(v))
		}
	}
	for i := range g.Edges {
		e := &g.Edges[i]
		if e.Since != NoDay && e.Since > today {
			continue
		}
		switch e.Type {
		case EdgeLegalRep, EdgeOfficer:
			if marked[e.From] {
				cand[e.To] = true
			}
			if marked[e.To] {
				cand[e.From] = true
			}
		case EdgeBranch:
			if marked[e.To] {
				cand[e.From] = true
			}
		}
	}
	// Down the chains of control from every marked node (the actual
	// controller's records reach the whole chain below it).
	depth := make([]int8, n)
	for len(down) > 0 {
		v := down[len(down)-1]
		down = down[:len(down)-1]
		if depth[v] >= 32 {
			continue
		}
		for _, e := range g.Out(v) {
			if e.Type != EdgeHolds || e.Ratio <= threshold || (e.Since != NoDay && e.Since > today) || cand[e.To] && depth[e.To] > 0 {
				continue
			}
			cand[e.To] = true
			depth[e.To] = depth[v] + 1
			down = append(down, e.To)
		}
	}
	var out []int32
	for v := range n {
		if cand[v] && g.IsEntity(int32(v)) {
			out = append(out, int32(v))
		}
	}
	return out
}
