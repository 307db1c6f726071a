package engine

// holdingEdge reports whether edge e is a shareholding in force on today.
func holdingEdge(e *Edge, today Day) bool {
	return e.Type == EdgeHolds && (e.Since == NoDay || e.Since <= today)
}

// Components lists strongly connected components in one flat array:
// component i is Nodes[Off[i]:Off[i+1]].
type Components struct {
	Off   []int32
	Nodes []int32
}

// Len is the number of components.
func (c *Components) Len() int { return max(len(c.Off)-1, 0) }

// At returns the members of component i.
func (c *Components) At(i int) []int32 { return c.Nodes[c.Off[i]:c.Off[i+1]] }

// HoldingSCC returns, for every node, the id of its strongly connected
// component in the graph of shareholdings between enterprises (held in
// force on today), and the components in reverse topological order of the
// condensation reversed — that is, every component comes after all the
// components that hold shares in it (holders first).
func HoldingSCC(g *Graph, today Day) (comp []int32, order Components) {
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
		k int32
	}
	var call []frame
	next := int32(0)
	// The components as Tarjan emits them, flat.
	emitted := Components{Off: []int32{0}, Nodes: make([]int32, 0, g.NumEnterprises)}
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
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[w] = false
					emitted.Nodes = append(emitted.Nodes, w)
					if w == v {
						break
					}
				}
				emitted.Off = append(emitted.Off, int32(len(emitted.Nodes)))
			}
		}
	}
	// Tarjan emits a component after every component it reaches (its
	// holdings' targets); reversed, holders come first.
	k := emitted.Len()
	order = Components{Off: make([]int32, 1, k+1), Nodes: make([]int32, 0, len(emitted.Nodes))}
	for i := k - 1; i >= 0; i-- {
		for _, v := range emitted.At(i) {
			comp[v] = int32(k - 1 - i)
			order.Nodes = append(order.Nodes, v)
		}
		order.Off = append(order.Off, int32(len(order.Nodes)))
	}
	return comp, order
}
