package engine

import (
	"fmt"
	"math"
	"unsafe"
)

// Incremental ownership (docs/risk-model.md §6, "Incremental"). A daily
// run from a projection snapshot changes the holdings of a few
// enterprises; integrated ownership from scratch still costs a vector per
// enterprise. So the run keeps, with the snapshot, what its ownership read
// and found: the holdings in force into each enterprise (holder, kind,
// ratio, in the in-index's order: the holdingsOf index), the beneficial
// owners and the control of each enterprise. The next run builds its own
// holdings index (it needs it anyway), compares it enterprise by
// enterprise with the kept one, and
//
//   - recomputes the holding components in full (Tarjan: their ids and
//     order are the full run's);
//   - marks changed every enterprise whose holdings in force differ in any
//     way (another holder, ratio bit, order, count — a holding that came
//     into force because the day moved, or left it because it moved back,
//     is a difference like any other), or that is new, or that a node
//     patched in since the graph file holds (their ids are not stable
//     between runs, results.go);
//   - marks dirty every component with a changed member and, downstream
//     along the holdings in force, every component a dirty one holds; and
//     needed every dirty component and, upstream, every component holding
//     shares in a needed one (whose vectors a dirty one reads: vectors
//     are not kept);
//   - computes the vectors of the needed components only, exactly as the
//     full computation does (the same holdings in the same order, the same
//     cycle iteration), and the control and beneficial owners of the dirty
//     ones; a clean component's are the kept ones.
//
// A clean enterprise's upstream closure has the same holdings in force
// as when they were kept (else a change in it would have made it dirty),
// and its nodes the same ids and keys, so its vector, owners and control
// are those of the kept run bit for bit; a dirty one's are computed from
// the same inputs a full run reads. The result is the full computation's,
// every field (TestIncrementalOwnershipMatchesFull).

// ownershipRule names the rule the kept state was computed by: holdings
// in force are HOLDS edges with since ≤ the day (holdingEdge, no until),
// cycles iterated to 1e-13, owners at the threshold less 1e-12, equal
// shares by pid. A state of another rule is not used; change it whenever
// any of that changes.
const ownershipRule = 1

// ownershipWide is the share of the enterprises beyond which a run that
// needs vectors for more of them computes ownership in full: the
// incremental path's own passes (the comparison, the plan) then cost
// more than the vectors it skips (measured: at half the enterprises
// needed it is no faster than the full computation).
const ownershipWide = 0.5

// ownershipState is what a run keeps of its ownership for the next one
// (in a snapshot file: its header fields in the engine header, its arrays
// as sections, graphfile.go and results.go).
type ownershipState struct {
	// Beneficial and Control are the thresholds the owners and control
	// were found with; Rule the rule (ownershipRule).
	Beneficial float64 `json:"beneficial"`
	Control    float64 `json:"control"`
	Rule       int     `json:"rule"`
	// Stable: the nodes below it have the same ids in the next run's
	// graph (the graph file's nodes); Nodes the graph's at the run.
	Stable int `json:"stable"`
	Nodes  int `json:"nodes"`
	// Hi is the number of nodes the holdings and owners cover.
	Hi int `json:"hi"`
	// Holdings and Owners count the entries of the two lists.
	Holdings int `json:"holdings"`
	Owners   int `json:"owners"`
	// Layout names the in-memory size of the entries (holdingIn, Stake).
	Layout string `json:"layout"`

	hs  holdingIndex // the holdings in force into the enterprises below Hi
	bo  ownersIndex  // the beneficial owners of the nodes below Hi
	ctl controlOf    // the control of the nodes below Hi
}

// controlOf is Ownership's control of the nodes below some id.
type controlOf struct {
	controller, majority, layers, top []int32
}

// ownersIndex lists beneficial owners by node: v's are bo[off[v]:off[v+1]].
type ownersIndex struct {
	off []int64
	bo  []Stake
}

// ownershipLayout is the layout of the state's entries in memory (and so
// in a snapshot file).
var ownershipLayout = fmt.Sprintf("holding%d stake%d", unsafe.Sizeof(holdingIn{}), unsafe.Sizeof(Stake{}))

// newOwnershipState is the state of a run's ownership o, computed with
// p's thresholds from the holdings index hs.
func newOwnershipState(p *Params, o *Ownership, hs holdingIndex) *ownershipState {
	hi := len(hs.off) - 1
	return &ownershipState{Beneficial: p.Ownership.BeneficialThreshold, Control: p.Ownership.ControlThreshold, Rule: ownershipRule,
		Nodes: len(o.Controller), Hi: hi, Holdings: len(hs.in), Owners: len(o.BO), Layout: ownershipLayout,
		hs: hs, bo: ownersIndex{off: o.BOOff[:hi+1], bo: o.BO},
		ctl: controlOf{o.Controller[:hi], o.Majority[:hi], o.Layers[:hi], o.Top[:hi]}}
}

// check verifies what a state read from a file must hold to be indexed
// safely: offsets rising to the lists' ends, nodes in range.
func (s *ownershipState) check() error {
	if s.Hi < 0 || s.Hi > s.Nodes || s.Stable < 0 || s.Stable > s.Nodes || s.Layout != ownershipLayout {
		return fmt.Errorf("ownership state: %d of %d nodes, %d stable, layout %q", s.Hi, s.Nodes, s.Stable, s.Layout)
	}
	if err := checkOffsets("holdings", s.hs.off, len(s.hs.in)); err != nil {
		return err
	}
	if len(s.bo.off) == 0 || s.bo.off[0] != 0 || s.bo.off[len(s.bo.off)-1] != int64(len(s.bo.bo)) {
		return fmt.Errorf("owners' offsets do not span %d owners", len(s.bo.bo))
	}
	for i := 1; i < len(s.bo.off); i++ {
		if s.bo.off[i] < s.bo.off[i-1] {
			return fmt.Errorf("owners' offsets fall at %d", i)
		}
	}
	for _, h := range s.hs.in {
		if h.from < 0 || int(h.from) >= s.Nodes || h.kind > NodeEmail {
			return fmt.Errorf("holding from node %d of kind %d out of range", h.from, h.kind)
		}
	}
	for _, b := range s.bo.bo {
		if b.Person < 0 || int(b.Person) >= s.Nodes {
			return fmt.Errorf("owner %d out of range", b.Person)
		}
	}
	for _, ids := range [][]int32{s.ctl.controller, s.ctl.majority, s.ctl.top} {
		for _, v := range ids {
			if v < -1 || int(v) >= s.Nodes {
				return fmt.Errorf("controlling node %d out of range", v)
			}
		}
	}
	return nil
}

// sections lists the state's arrays in file order, their names after
// prefix (graphfile.go).
func (s *ownershipState) sections(prefix string) []section {
	return []section{
		arrayOf(prefix+"ownership.holdings_off", &s.hs.off, s.Hi+1),
		arrayOf(prefix+"ownership.holdings", &s.hs.in, s.Holdings),
		arrayOf(prefix+"ownership.owners_off", &s.bo.off, s.Hi+1),
		arrayOf(prefix+"ownership.owners", &s.bo.bo, s.Owners),
		arrayOf(prefix+"ownership.controller", &s.ctl.controller, s.Hi),
		arrayOf(prefix+"ownership.majority", &s.ctl.majority, s.Hi),
		arrayOf(prefix+"ownership.layers", &s.ctl.layers, s.Hi),
		arrayOf(prefix+"ownership.top", &s.ctl.top, s.Hi),
	}
}

// OwnershipStats says what a run's ownership did (Result.OwnershipStats).
type OwnershipStats struct {
	// Incremental is set when it used the previous run's state; Full
	// says why not otherwise ("" without a state).
	Incremental bool   `json:"incremental"`
	Full        string `json:"full,omitempty"`
	// Components and Enterprises are the holding components and the
	// enterprises in them; Changed the enterprises whose holdings changed
	// (or new), Dirty those downstream of a change (their owners
	// recomputed), Vectors those whose vectors were computed.
	Components  int `json:"components"`
	Enterprises int `json:"enterprises"`
	Changed     int `json:"changed,omitempty"`
	Dirty       int `json:"dirty,omitempty"`
	Vectors     int `json:"vectors,omitempty"`
}

// ownershipPlan is what an incremental computation computes.
type ownershipPlan struct {
	// needed and dirtyC are by component: its vectors are computed; its
	// control and beneficial owners too (downstream of a change).
	needed, dirtyC []bool
	// remaining counts each enterprise's holdings into needed components.
	remaining []int32
	// kept: below it, a clean enterprise's control and owners are prev's.
	kept                    int
	changed, dirty, vectors int
}

// planOwnership decides which components an incremental computation
// computes, from prev and the run's holdings hs and components; nil (and
// why) when it computes everything: no prev, other thresholds or rule,
// a graph that does not continue prev's, or a change wider than
// ownershipWide. Its work is one pass over the holdings in node order
// (the comparison) and searches over the dirty and needed components
// only.
func planOwnership(g *Graph, p *Params, prev *ownershipState, hs *holdingIndex, comp []int32, order *Components, today Day) (*ownershipPlan, string) {
	switch {
	case prev == nil:
		return nil, ""
	case math.Float64bits(prev.Beneficial) != math.Float64bits(p.Ownership.BeneficialThreshold) ||
		math.Float64bits(prev.Control) != math.Float64bits(p.Ownership.ControlThreshold):
		return nil, "other ownership thresholds"
	case prev.Rule != ownershipRule:
		return nil, "another ownership rule"
	case prev.Nodes > g.N() || prev.Stable > g.N():
		return nil, "a graph smaller than the kept state's"
	}
	stable := int32(prev.Stable)
	// changed: v's holdings in force are not exactly those kept.
	changed := func(v int32) bool {
		if v >= stable || int(v) >= prev.Hi {
			return true
		}
		now, was := hs.of(v), prev.hs.of(v)
		if len(now) != len(was) {
			return true
		}
		for i := range now {
			a, b := &now[i], &was[i]
			if a.from != b.from || a.from >= stable || a.kind != b.kind || math.Float64bits(a.ratio) != math.Float64bits(b.ratio) {
				return true
			}
		}
		return false
	}
	k := order.Len()
	pl := &ownershipPlan{needed: make([]bool, k), dirtyC: make([]bool, k), kept: min(prev.Stable, prev.Hi)}
	// Dirty: the changed enterprises' components (found in node order, so
	// both holdings lists are read sequentially), then downstream of them
	// along the holdings in force.
	var queue []int32
	for v := range int32(len(hs.off) - 1) {
		if g.Kinds[v] != NodeEnterprise || !changed(v) {
			continue
		}
		pl.changed++
		if c := comp[v]; !pl.dirtyC[c] {
			pl.dirtyC[c] = true
			queue = append(queue, c)
		}
	}
	for i := 0; i < len(queue); i++ {
		for _, v := range order.At(int(queue[i])) {
			for _, e := range g.Out(v) {
				if holdingEdge(&e, today) && g.Kinds[e.To] == NodeEnterprise {
					if c := comp[e.To]; !pl.dirtyC[c] {
						pl.dirtyC[c] = true
						queue = append(queue, c)
					}
				}
			}
		}
	}
	// Needed: the dirty components and, upstream, every holder's.
	for _, c := range queue {
		pl.needed[c] = true
		pl.dirty += len(order.At(int(c)))
	}
	for i := 0; i < len(queue); i++ {
		for _, v := range order.At(int(queue[i])) {
			for _, h := range hs.of(v) {
				if h.kind == NodeEnterprise {
					if c := comp[h.from]; !pl.needed[c] {
						pl.needed[c] = true
						queue = append(queue, c)
					}
				}
			}
		}
	}
	for _, c := range queue {
		pl.vectors += len(order.At(int(c)))
	}
	if float64(pl.vectors) > ownershipWide*float64(len(order.Nodes)) {
		return nil, fmt.Sprintf("%d of %d enterprises need vectors", pl.vectors, len(order.Nodes))
	}
	pl.remaining = make([]int32, len(hs.off)-1)
	for _, c := range queue {
		for _, v := range order.At(int(c)) {
			for _, h := range hs.of(v) {
				if h.kind == NodeEnterprise {
					pl.remaining[h.from]++
				}
			}
		}
	}
	return pl, ""
}

// ownershipFor is the run's ownership (Compute): incremental from the
// state a snapshot kept (g.patch.ownPrev) when there is one, and the
// run's own state kept for the snapshot it saves (g.patch.ownNext).
func ownershipFor(g *Graph, p *Params, today Day) (*Ownership, OwnershipStats) {
	ps := g.patch
	if ps == nil {
		return ComputeOwnership(g, p, today), OwnershipStats{}
	}
	o, hs, stats := computeOwnership(g, p, today, ps.ownPrev)
	ps.ownPrev = nil // read once; its memory goes
	ps.ownNext = newOwnershipState(p, o, hs)
	return o, stats
}
