package engine

// holdingEdge reports whether edge e is a shareholding in force on today.
func holdingEdge(e *Edge, today Day) bool {
	return e.Type == EdgeHolds && (e.Since == NoDay || e.Since <= today)
}

// HoldingSCC returns, for every node, the id of its strongly connected
// component in the graph of shareholdings between enterprises (held in
// force on today), and the components in reverse topological order of the
// condensation reversed — that is, every component comes after all the
// components that hold shares in it (holders first).
func HoldingSCC(g *Graph, today Day) (comp []int32, order [][]int32) {
	n := g.N()
	comp = make([]int32, n)
	index := make([]int32, n)
	low := make([]int32, n)
	for i := range index {
		index[i], comp[i] = -1, -1
	}
	onStack := make([]bool, n)
	var stack []int32
	type frame struct {
		v int32
		k int64
	}
	var call []frame
	next := int32(0)
	var comps [][]int32
	for root := int32(0); root < int32(n); root++ {
		if g.Kinds[root] != NodeEnterprise || index[root] >= 0 {
			continue
		}
		call = append(call, frame{root, g.OutOff[root]})
		index[root], low[root] = next, next
		next++
		stack = append(stack, root)
		onStack[root] = true
		for len(call) > 0 {
			f := &call[len(call)-1]
			v := f.v
			if f.k < g.OutOff[v+1] {
				e := &g.Edges[f.k]
				f.k++
				if !holdingEdge(e, today) || g.Kinds[e.To] != NodeEnterprise {
					continue
				}
				w := e.To
				if index[w] < 0 {
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					onStack[w] = true
					call = append(call, frame{w, g.OutOff[w]})
				} else if onStack[w] {
					low[v] = min(low[v], index[w])
				}
				continue
			}
			call = call[:len(call)-1]
			if len(call) > 0 {
				u := call[len(call)-1].v
				low[u] = min(low[u], low[v])
			}
			if low[v] == index[v] {
				var c []int32
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[w] = false
					comp[w] = int32(len(comps))
					c = append(c, w)
					if w == v {
						break
					}
				}
				comps = append(comps, c)
			}
		}
	}
	// Tarjan emits a component after every component it reaches (its
	// holdings' targets); reversed, holders come first.
	order = make([][]int32, len(comps))
	for i, c := range comps {
		order[len(comps)-1-i] = c
	}
	for i := range order {
		for _, v := range order[i] {
			comp[v] = int32(i)
		}
	}
	return comp, order
}
