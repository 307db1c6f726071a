package engine

import (
	"riskgraph/models"
	"riskgraph/store"
)

// Groups are the control groups and communities of a run.
type Groups struct {
	// Control maps each node to its control group (a weakly connected
	// component of controlling holdings and branch links); the id is the
	// smallest node id of the group.
	Control []int32
	// ControlSize is the size of each node's control group.
	ControlSize []int32
	// Community maps each node to its Louvain community (nil when not computed).
	Community []int32
	// Modularity of Community on the relationship graph.
	Modularity float64
}

// ControlGroups computes weakly connected components of control edges
// under store.ControlRule (the one definition the API's /group uses too):
// holdings above the control threshold in force on today, and branch links.
func ControlGroups(g *Graph, threshold float64, today Day) ([]int32, []int32) {
	n := g.N()
	parent := make([]int32, n)
	for i := range parent {
		parent[i] = int32(i)
	}
	find := func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for i := range g.Edges {
		e := &g.Edges[i]
		if e.Since != NoDay && e.Since > today {
			continue
		}
		if store.Controls(relType(e.Type), e.Ratio, threshold) {
			a, b := find(e.From), find(e.To)
			if a < b {
				parent[b] = a
			} else if b < a {
				parent[a] = b
			}
		}
	}
	size := make([]int32, n)
	for v := range parent {
		parent[v] = find(int32(v))
		size[parent[v]]++
	}
	out := make([]int32, n)
	for v := range parent {
		out[v] = size[parent[v]]
	}
	return parent, out
}

// relationshipGraph is the undirected graph Louvain works on: every
// relationship (and group membership) with weight 1, both directions.
func relationshipGraph(g *Graph) *WeightedDigraph {
	from := make([]int32, 0, 2*len(g.Edges))
	to := make([]int32, 0, 2*len(g.Edges))
	w := make([]float64, 0, 2*len(g.Edges))
	for i := range g.Edges {
		e := &g.Edges[i]
		if e.From == e.To || e.Type == EdgeRelated {
			// Family ties do not make a community of enterprises (yet):
			// see docs/risk-model.md, "Person-to-person relations".
			continue
		}
		from, to, w = append(from, e.From, e.To), append(to, e.To, e.From), append(w, 1, 1)
	}
	return NewWeightedDigraph(g.N(), from, to, w)
}

// Louvain computes communities of an undirected graph given with both
// directions of every edge, maximising modularity at resolution gamma:
// local moving in node order, then aggregation, until nothing moves. It is
// deterministic. It returns the community of each node and the modularity.
func Louvain(u *WeightedDigraph, gamma float64) ([]int32, float64) {
	n := u.N()
	comm := make([]int32, n)
	for i := range comm {
		comm[i] = int32(i)
	}
	cur := u
	member := make([]int32, n) // original node → node of cur
	for i := range member {
		member[i] = int32(i)
	}
	for level := 0; level < 32; level++ {
		c, moved := louvainLevel(cur, gamma)
		if !moved {
			break
		}
		// Renumber communities densely and aggregate.
		ids := map[int32]int32{}
		for _, x := range c {
			if _, ok := ids[x]; !ok {
				ids[x] = int32(len(ids))
			}
		}
		for i := range member {
			member[i] = ids[c[member[i]]]
		}
		var from, to []int32
		var w []float64
		for v := 0; v < cur.N(); v++ {
			for k := cur.Off[v]; k < cur.Off[v+1]; k++ {
				from, to, w = append(from, ids[c[v]]), append(to, ids[c[cur.Dst[k]]]), append(w, cur.W[k])
			}
		}
		cur = mergeParallel(NewWeightedDigraph(len(ids), from, to, w))
	}
	copy(comm, member)
	return comm, Modularity(u, comm, gamma)
}

// mergeParallel sums parallel edges (kept in first-seen order).
func mergeParallel(g *WeightedDigraph) *WeightedDigraph {
	out := &WeightedDigraph{Off: make([]int64, g.N()+1)}
	pos := map[int32]int{}
	for v := 0; v < g.N(); v++ {
		clear(pos)
		for k := g.Off[v]; k < g.Off[v+1]; k++ {
			d := g.Dst[k]
			if i, ok := pos[d]; ok {
				out.W[i] += g.W[k]
				continue
			}
			pos[d] = len(out.Dst)
			out.Dst, out.W = append(out.Dst, d), append(out.W, g.W[k])
		}
		out.Off[v+1] = int64(len(out.Dst))
	}
	return out
}

// louvainLevel moves nodes between communities until no move raises modularity.
func louvainLevel(g *WeightedDigraph, gamma float64) ([]int32, bool) {
	n := g.N()
	k := make([]float64, n)
	self := make([]float64, n)
	m2 := 0.0
	for v := 0; v < n; v++ {
		for e := g.Off[v]; e < g.Off[v+1]; e++ {
			k[v] += g.W[e]
			if int(g.Dst[e]) == v {
				self[v] += g.W[e]
			}
		}
		m2 += k[v]
	}
	comm := make([]int32, n)
	tot := make([]float64, n)
	for v := range comm {
		comm[v], tot[v] = int32(v), k[v]
	}
	if m2 == 0 {
		return comm, false
	}
	links := make([]float64, n)
	var touched []int32
	movedAny := false
	for pass := 0; pass < 100; pass++ {
		moved := 0
		for v := 0; v < n; v++ {
			for e := g.Off[v]; e < g.Off[v+1]; e++ {
				d := g.Dst[e]
				if int(d) == v {
					continue
				}
				c := comm[d]
				if links[c] == 0 {
					touched = append(touched, c)
				}
				links[c] += g.W[e]
			}
			old := comm[v]
			tot[old] -= k[v]
			best, bestGain := old, links[old]-gamma*tot[old]*k[v]/m2
			for _, c := range touched {
				if gain := links[c] - gamma*tot[c]*k[v]/m2; gain > bestGain+1e-12 || (gain == bestGain && c < best) {
					best, bestGain = c, gain
				}
			}
			for _, c := range touched {
				links[c] = 0
			}
			touched = touched[:0]
			comm[v] = best
			tot[best] += k[v]
			if best != old {
				moved++
			}
		}
		if moved == 0 {
			break
		}
		movedAny = true
	}
	return comm, movedAny
}

// Modularity is Q = 1/2m Σ_ij [A_ij − γ k_i k_j / 2m] δ(c_i, c_j) of the
// undirected graph g (both directions of every edge given).
func Modularity(g *WeightedDigraph, comm []int32, gamma float64) float64 {
	n := g.N()
	m2 := 0.0
	in := make([]float64, n)
	tot := make([]float64, n)
	for v := 0; v < n; v++ {
		for e := g.Off[v]; e < g.Off[v+1]; e++ {
			m2 += g.W[e]
			tot[comm[v]] += g.W[e]
			if comm[g.Dst[e]] == comm[v] {
				in[comm[v]] += g.W[e]
			}
		}
	}
	if m2 == 0 {
		return 0
	}
	q := 0.0
	for c, t := range tot {
		if t != 0 {
			q += in[c]/m2 - gamma*(t/m2)*(t/m2)
		}
	}
	return q
}

// relType names the relationship an engine edge came from, for the rules
// the store defines (only the types those rules test are told apart).
func relType(t EdgeType) models.RelType {
	switch t {
	case EdgeHolds:
		return models.RelHoldsShares
	case EdgeBranch:
		return models.RelBranchOf
	}
	return ""
}
