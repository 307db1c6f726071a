package engine

import (
	"cmp"
	"math"
	"math/bits"
	"slices"
)

// Stake is a person's integrated ownership of an enterprise.
type Stake struct {
	Person int32
	Share  float64
}

// Ownership holds integrated ownership, beneficial owners and control for
// every enterprise (docs/risk-model.md, "Ownership").
type Ownership struct {
	// BO lists each enterprise's beneficial owners (persons with integrated
	// ownership ≥ the threshold), largest first: BO[BOOff[v]:BOOff[v+1]].
	BOOff []int64
	BO    []Stake
	// Controller is the ultimate controller (a person, or an enterprise that
	// nobody controls), -1 when control is dispersed.
	Controller []int32
	// Majority is the single holder with more than the control threshold, -1 when none.
	Majority []int32
	// Layers is the number of enterprises on the majority chain from its top
	// down to and including the enterprise (0 when no majority holder); Top
	// is the node at the top of that chain.
	Layers []int32
	Top    []int32
	// SCC is each node's component in the holding graph; SCCs lists the
	// components holders first.
	SCC  []int32
	SCCs Components
}

// BeneficialOwners returns v's beneficial owners, largest first.
func (o *Ownership) BeneficialOwners(v int32) []Stake { return o.BO[o.BOOff[v]:o.BOOff[v+1]] }

// ComputeOwnership computes integrated ownership for every enterprise in
// one pass over the holding graph's components, holders first. A person's
// integrated ownership of enterprise e is O = D·(I − W)⁻¹ (Vitali,
// Glattfelder and Battiston): D the persons' direct ratios, W the ratios
// between enterprises; the sum over every holding walk, through chains and
// cross-holding cycles. Vectors are freed as soon as every enterprise they
// hold shares in is done.
func ComputeOwnership(g *Graph, p *Params, today Day) *Ownership {
	o, _, _ := computeOwnership(g, p, today, nil)
	return o
}

// computeOwnership is ComputeOwnership, incremental when prev (the state a
// run before kept, ownership_incr.go) is given and can be used: vectors
// only for the components its plan needs, control and beneficial owners
// only for the dirty ones, everything else taken from prev. It returns
// the holdings index it read (the next run's prev) and what it did.
func computeOwnership(g *Graph, p *Params, today Day, prev *ownershipState) (*Ownership, holdingIndex, OwnershipStats) {
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
	// The holdings in force into each enterprise, and the remaining
	// enterprise holdings of each enterprise not yet processed.
	hs, remaining := holdingsOf(g, hi, today)
	stats := OwnershipStats{Components: order.Len(), Enterprises: len(order.Nodes)}
	// With a plan, only the components it needs get vectors, and only
	// its dirty ones control and owners (nil: every component).
	pl, why := planOwnership(g, p, prev, &hs, comp, &order, today)
	if pl != nil {
		remaining = pl.remaining
		stats.Incremental, stats.Changed, stats.Dirty, stats.Vectors = true, pl.changed, pl.dirty, pl.vectors
		// The clean enterprises' control is prev's (reset below for the
		// dirty ones): only ids below stable, which keep their nodes.
		m := min(int(hi), pl.kept)
		copy(o.Controller[:m], prev.ctl.controller)
		copy(o.Majority[:m], prev.ctl.majority)
		copy(o.Layers[:m], prev.ctl.layers)
		copy(o.Top[:m], prev.ctl.top)
	} else {
		stats.Full = why
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
		for _, h := range hs.of(v) {
			if h.ratio == 0 {
				continue
			}
			if h.kind == NodePerson {
				add(h.from, h.ratio)
			} else {
				for _, s := range own[h.from] {
					add(s.Person, h.ratio*s.Share)
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
		if pl != nil && !pl.needed[ci] {
			continue
		}
		c := order.At(ci)
		if len(c) == 1 {
			own[c[0]] = vector(c[0])
		} else {
			solveCycle(g, c, comp, own, vector, &vecs)
		}
		if pl == nil || pl.dirtyC[ci] {
			for _, v := range c {
				o.Controller[v], o.Majority[v], o.Layers[v], o.Top[v] = -1, -1, 0, -1
				scratch = o.control(g, hs.of(v), v, op.ControlThreshold, scratch[:0])
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
		}
		// Free the holders' vectors once all their holdings are done.
		for _, v := range c {
			for _, h := range hs.of(v) {
				if h.kind == NodeEnterprise {
					if remaining[h.from]--; remaining[h.from] == 0 {
						vecs.put(own[h.from])
						own[h.from] = nil
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
	// The offsets, in node order; a clean enterprise's owners are prev's.
	kept := func(v int) bool {
		return pl != nil && v < pl.kept && g.Kinds[v] == NodeEnterprise && !pl.dirtyC[comp[v]]
	}
	for v := 0; v < n; v++ {
		k := o.BOOff[v+1]
		if kept(v) {
			k = prev.bo.off[v+1] - prev.bo.off[v]
		}
		o.BOOff[v+1] = o.BOOff[v] + k
	}
	o.BO = make([]Stake, o.BOOff[n])
	for v := 0; v < n; v++ {
		switch out := o.BO[o.BOOff[v]:o.BOOff[v+1]]; {
		case len(out) == 0:
		case kept(v):
			copy(out, prev.bo.bo[prev.bo.off[v]:prev.bo.off[v+1]])
		default:
			copy(out, boDone[boStart[v]:])
		}
	}
	return o, hs, stats
}

// solveCycle computes the vectors of a component with cross-holdings by
// iterating the component's equations until no share changes by 1e-13.
func solveCycle(g *Graph, c []int32, comp []int32, own [][]Stake, vector func(int32) []Stake, vecs *stakeArena) {
	for _, v := range c {
		own[v] = nil
	}
	next := make([][]Stake, len(c))
	for it := 0; it < 100_000; it++ {
		change := 0.0
		for i, v := range c {
			next[i] = vector(v)
		}
		for i, v := range c {
			change = math.Max(change, stakeDistance(own[v], next[i]))
			vecs.put(own[v]) // the last iteration's, read by no one now
			own[v] = next[i]
		}
		if change < 1e-13 {
			return
		}
	}
}

func stakeDistance(a, b []Stake) float64 {
	d := 0.0
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || (i < len(a) && a[i].Person < b[j].Person):
			d = math.Max(d, a[i].Share)
			i++
		case i == len(a) || b[j].Person < a[i].Person:
			d = math.Max(d, b[j].Share)
			j++
		default:
			d = math.Max(d, math.Abs(a[i].Share-b[j].Share))
			i++
			j++
		}
	}
	return d
}

// before reports whether holder a with share x goes before holder b with
// share y when more than one holds more than the control threshold (the
// data's ratios then add up to more than 1): the larger share (beyond
// 1e-12), then the smaller reference — never the order of the node ids,
// which differ between a snapshot's patched graph and a scan's.
func before(g *Graph, a int32, x float64, b int32, y float64) bool {
	if math.Abs(x-y) > 1e-12 {
		return x > y
	}
	ra, rb := g.Ref(a), g.Ref(b)
	if ra.Kind != rb.Kind {
		return ra.Kind < rb.Kind
	}
	return ra.Key < rb.Key
}

// majorityRatio is the largest ratio holder h holds of an enterprise by
// one of its holdings in force, in.
func majorityRatio(in []holdingIn, h int32) float64 {
	r := 0.0
	for _, x := range in {
		if x.from == h {
			r = max(r, x.ratio)
		}
	}
	return r
}

// stakeOf is u's summed stake.
func stakeOf(stakes []holderStake, u int32) float64 {
	for _, s := range stakes {
		if s.u == u {
			return s.sum
		}
	}
	return 0
}

// control sets v's majority holder, layering and ultimate controller from
// its holdings in force, in (their holders already done, except members
// of v's own cycle). stakes is scratch space, returned for reuse.
func (o *Ownership) control(g *Graph, in []holdingIn, v int32, threshold float64, stakes []holderStake) []holderStake {
	for _, x := range in {
		h, r := x.from, x.ratio
		if r > threshold && (o.Majority[v] < 0 || before(g, h, r, o.Majority[v], majorityRatio(in, o.Majority[v]))) {
			o.Majority[v] = h
		}
		u := h
		if x.kind == NodeEnterprise && o.SCC[h] != o.SCC[v] && o.Controller[h] >= 0 {
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

// holdingIn is one holding in force into an enterprise: its holder, the
// holder's kind and the ratio.
type holdingIn struct {
	from  int32
	kind  NodeKind
	ratio float64
}

// holdingIndex lists the holdings in force into each enterprise below hi,
// in the order of the graph's in-index — edge order within a node, as
// bucketIndex builds every in-index (projection, patch; a snapshot file
// holds one of theirs), so that each vector is summed in the order it
// always was: those into v are in[off[v]:off[v+1]]. Ownership reads them several times per enterprise
// from contiguous memory instead of through the in-index into the whole
// edge array (a cache miss per edge).
type holdingIndex struct {
	off []int32
	in  []holdingIn
}

func (x *holdingIndex) of(v int32) []holdingIn { return x.in[x.off[v]:x.off[v+1]] }

// holdingsOf indexes the holdings in force on today into the enterprises
// below hi, by one pass over the edges, and counts each enterprise's
// holdings in force in enterprises (remaining).
func holdingsOf(g *Graph, hi int32, today Day) (x holdingIndex, remaining []int32) {
	x.off = make([]int32, hi+1)
	remaining = make([]int32, hi)
	for i := range g.Edges {
		e := &g.Edges[i]
		if !holdingEdge(e, today) || e.To >= hi || g.Kinds[e.To] != NodeEnterprise {
			continue
		}
		x.off[e.To+1]++
		if g.Kinds[e.From] == NodeEnterprise {
			remaining[e.From]++
		}
	}
	for v := range hi {
		x.off[v+1] += x.off[v]
	}
	x.in = make([]holdingIn, x.off[hi])
	next := slices.Clone(x.off[:hi])
	for i := range g.Edges {
		e := &g.Edges[i]
		if !holdingEdge(e, today) || e.To >= hi || g.Kinds[e.To] != NodeEnterprise {
			continue
		}
		x.in[next[e.To]] = holdingIn{from: e.From, kind: g.Kinds[e.From], ratio: e.Ratio}
		next[e.To]++
	}
	return x, remaining
}

// holderStake is the sum of the direct stakes in an enterprise that one
// ultimate holder controls (scratch space of control).
type holderStake struct {
	u   int32
	sum float64
}

// stakeArena hands out ownership vectors cut from shared slabs and takes
// back those no longer read, so that a vector is reused by later
// enterprises instead of staying garbage until the run ends (a run's
// garbage is resident: no collection runs during compute). Capacities are
// powers of two, one free list per power.
type stakeArena struct {
	free [40][][]Stake
	slab []Stake
}

// get returns a vector of length k (nil when k is 0).
func (a *stakeArena) get(k int) []Stake {
	if k == 0 {
		return nil
	}
	c := bits.Len(uint(k - 1)) // 1<<c ≥ k
	if l := a.free[c]; len(l) > 0 {
		s := l[len(l)-1]
		a.free[c] = l[:len(l)-1]
		return s[:k]
	}
	size := 1 << c
	if cap(a.slab)-len(a.slab) < size {
		a.slab = make([]Stake, 0, max(size, 1<<14))
	}
	s := a.slab[len(a.slab) : len(a.slab)+k : len(a.slab)+size]
	a.slab = a.slab[:len(a.slab)+size]
	return s
}

// put takes back a vector that get returned; nobody may read it after.
func (a *stakeArena) put(s []Stake) {
	if cap(s) == 0 {
		return
	}
	c := bits.Len(uint(cap(s) - 1))
	a.free[c] = append(a.free[c], s[:0])
}
