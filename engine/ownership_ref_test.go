package engine

import (
	"cmp"
	"slices"
)

// referenceOwnership is ComputeOwnership as it was before the holdings
// index (d91bc2a), kept verbatim as the reference the faster one must
// equal bit for bit. It computes integrated ownership for every enterprise in
// one pass over the holding graph's components, holders first. A person's
// integrated ownership of enterprise e is O = D·(I − W)⁻¹ (Vitali,
// Glattfelder and Battiston): D the persons' direct ratios, W the ratios
// between enterprises; the sum over every holding walk, through chains and
// cross-holding cycles. Vectors are freed as soon as every enterprise they
// hold shares in is done.
func referenceOwnership(g *Graph, p *Params, today Day) *Ownership {
	n := g.N()
	op := &p.Ownership
	comp, order := HoldingSCC(g, today)
	o := &Ownership{BOOff: make([]int64, n+1), Controller: make([]int32, n), Majority: make([]int32, n),
		Layers: make([]int32, n), Top: make([]int32, n), SCC: comp, SCCs: order}
	for i := range o.Controller {
		o.Controller[i], o.Majority[i], o.Top[i] = -1, -1, -1
	}
	// Every enterprise roots a search of HoldingSCC, so every enterprise
	// and every node with a vector is in a component: the per-node scratch
	// below covers ids up to the largest of them (enterprises come first in
	// scan order, so it skips most persons and group nodes).
	hi := int32(0)
	for _, v := range order.Nodes {
		hi = max(hi, v+1)
	}
	// Remaining enterprise holdings of each enterprise not yet processed.
	remaining := make([]int32, hi)
	for v := int32(0); v < hi; v++ {
		if g.Kinds[v] != NodeEnterprise {
			continue
		}
		for i := g.OutOff[v]; i < g.OutOff[v+1]; i++ {
			if e := &g.Edges[i]; holdingEdge(e, today) && g.Kinds[e.To] == NodeEnterprise {
				remaining[v]++
			}
		}
	}
	own := make([][]Stake, hi)
	acc := make([]float64, n)
	var touched []int32
	// Vectors come from an arena that takes back those no longer read.
	var vecs stakeArena
	add := func(v int32, x float64) {
		if acc[v] == 0 {
			touched = append(touched, v)
		}
		acc[v] += x
	}
	// vector computes v's integrated ownership from its holders' vectors.
	vector := func(v int32) []Stake {
		for _, ei := range g.InEdges(v) {
			e := &g.Edges[ei]
			if !holdingEdge(e, today) || e.Ratio == 0 {
				continue
			}
			r := float64(e.Ratio)
			if g.Kinds[e.From] == NodePerson {
				add(e.From, r)
			} else {
				for _, s := range own[e.From] {
					add(s.Person, r*s.Share)
				}
			}
		}
		out := vecs.get(len(touched))
		for i, q := range touched {
			out[i] = Stake{q, acc[q]}
			acc[q] = 0
		}
		touched = touched[:0]
		slices.SortFunc(out, func(a, b Stake) int { return cmp.Compare(a.Person, b.Person) })
		return out
	}
	// Beneficial owners in the order enterprises are done: v's are
	// boDone[boStart[v]:][:count], the count kept in BOOff[v+1] until the
	// offsets are summed.
	boStart := make([]int32, hi)
	var boDone []Stake
	var scratch []holderStake
	for ci := range order.Len() {
		c := order.At(ci)
		if len(c) == 1 {
			own[c[0]] = vector(c[0])
		} else {
			solveCycle(g, c, comp, own, vector, &vecs)
		}
		for _, v := range c {
			scratch = refControl(o, g, v, op.ControlThreshold, today, scratch[:0])
			start := len(boDone)
			for _, s := range own[v] {
				if s.Share >= op.BeneficialThreshold-1e-12 {
					boDone = append(boDone, s)
				}
			}
			if k := len(boDone) - start; k > 0 {
				// Largest first; equal shares by pid, not by node id
				// (a snapshot's patched graph numbers persons otherwise).
				slices.SortFunc(boDone[start:], func(a, b Stake) int {
					if c := cmp.Compare(b.Share, a.Share); c != 0 {
						return c
					}
					return cmp.Compare(g.Keys.At(a.Person), g.Keys.At(b.Person))
				})
				boStart[v], o.BOOff[v+1] = int32(start), int64(k)
			}
		}
		// Free the holders' vectors once all their holdings are done.
		for _, v := range c {
			for _, ei := range g.InEdges(v) {
				e := &g.Edges[ei]
				if holdingEdge(e, today) && g.Kinds[e.From] == NodeEnterprise {
					if remaining[e.From]--; remaining[e.From] == 0 {
						vecs.put(own[e.From])
						own[e.From] = nil
					}
				}
			}
		}
		for _, v := range c {
			if remaining[v] == 0 {
				vecs.put(own[v])
				own[v] = nil
			}
		}
	}
	o.BO = make([]Stake, len(boDone))
	for v := 0; v < n; v++ {
		k := o.BOOff[v+1]
		if k == 0 {
			o.BOOff[v+1] = o.BOOff[v]
			continue
		}
		o.BOOff[v+1] = o.BOOff[v] + k
		copy(o.BO[o.BOOff[v]:o.BOOff[v+1]], boDone[boStart[v]:])
	}
	return o
}

// refMajorityRatio is the largest ratio holder h holds of v by a holding in
// force.
func refMajorityRatio(g *Graph, v, h int32, today Day) float64 {
	r := 0.0
	for _, ei := range g.InEdges(v) {
		if e := &g.Edges[ei]; e.From == h && holdingEdge(e, today) {
			r = max(r, e.Ratio)
		}
	}
	return r
}

// refControl sets v's majority holder, layering and ultimate controller from
// its holders (already done, except members of v's own cycle). stakes is
// scratch space, returned for reuse.
func refControl(o *Ownership, g *Graph, v int32, threshold float64, today Day, stakes []holderStake) []holderStake {
	for _, ei := range g.InEdges(v) {
		e := &g.Edges[ei]
		if !holdingEdge(e, today) {
			continue
		}
		h, r := e.From, float64(e.Ratio)
		if r > threshold && (o.Majority[v] < 0 || before(g, h, r, o.Majority[v], refMajorityRatio(g, v, o.Majority[v], today))) {
			o.Majority[v] = h
		}
		u := h
		if g.Kinds[h] == NodeEnterprise && o.SCC[h] != o.SCC[v] && o.Controller[h] >= 0 {
			u = o.Controller[h]
		}
		found := false
		for i := range stakes {
			if stakes[i].u == u {
				stakes[i].sum += r
				found = true
			}
		}
		if !found {
			stakes = append(stakes, holderStake{u, r})
		}
	}
	for _, s := range stakes {
		if c := o.Controller[v]; s.sum > threshold+1e-12 && (c < 0 || before(g, s.u, s.sum, c, stakeOf(stakes, c))) {
			o.Controller[v] = s.u
		}
	}
	switch m := o.Majority[v]; {
	case m < 0:
	case g.Kinds[m] == NodePerson:
		o.Layers[v], o.Top[v] = 1, m
	case o.SCC[m] != o.SCC[v]:
		if o.Layers[m] == 0 {
			o.Layers[v], o.Top[v] = 2, m
		} else {
			o.Layers[v], o.Top[v] = o.Layers[m]+1, o.Top[m]
		}
	}
	return stakes
}
