package engine

import "sort"

// Chain is one holding path from an owner down to an enterprise: Nodes[0]
// is the owner, the last node the enterprise; Share is the product of the ratios.
type Chain struct {
	Nodes []int32
	Share float64
}

// maxChainSteps bounds the search of one OwnershipChains call.
const maxChainSteps = 200_000

// OwnershipChains lists up to maxChains simple holding paths (no node twice,
// at most maxDepth holdings) from owner down to target, largest share first.
// Walks around a cross-holding cycle are not listed; their contribution is
// part of the integrated ownership (the difference is shown by callers).
func OwnershipChains(g *Graph, owner, target int32, maxChains, maxDepth int, today Day) []Chain {
	var out []Chain
	path := []int32{target}
	onPath := map[int32]bool{target: true}
	steps := 0
	var walk func(v int32, share float64)
	walk = func(v int32, share float64) {
		if steps++; steps > maxChainSteps {
			return
		}
		for _, ei := range g.InEdges(v) {
			e := &g.Edges[ei]
			if !holdingEdge(e, today) || e.Ratio == 0 || onPath[e.From] {
				continue
			}
			s := share * float64(e.Ratio)
			if e.From == owner {
				nodes := make([]int32, 0, len(path)+1)
				nodes = append(nodes, owner)
				for i := len(path) - 1; i >= 0; i-- {
					nodes = append(nodes, path[i])
				}
				out = append(out, Chain{Nodes: nodes, Share: s})
				continue
			}
			if g.Kinds[e.From] != NodeEnterprise || len(path) >= maxDepth {
				continue
			}
			onPath[e.From] = true
			path = append(path, e.From)
			walk(e.From, s)
			path = path[:len(path)-1]
			delete(onPath, e.From)
		}
	}
	walk(target, 1)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Share > out[j].Share })
	if len(out) > maxChains {
		out = out[:maxChains]
	}
	return out
}

// MajorityChain returns the chain of majority holders from the top down to v.
func (o *Ownership) MajorityChain(v int32) []int32 {
	chain := []int32{v}
	seen := map[int32]bool{v: true}
	for m := o.Majority[v]; m >= 0 && !seen[m]; m = o.Majority[m] {
		chain = append(chain, m)
		seen[m] = true
	}
	for i, j := 0, len(chain)-1; i < j; i, j = i+1, j-1 {
		chain[i], chain[j] = chain[j], chain[i]
	}
	return chain
}
