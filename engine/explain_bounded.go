package engine

import "sync"

// ExplainBounded decomposes the score of target like Explain, with the
// work bounded: it pushes only where unaccounted score lies, the most of
// it first, and stops once the unaccounted score U is at most bound or
// after maxWork edge visits (docs/risk-model.md §4).
//
// The reverse push keeps the invariant y* = y + Σ_u res_u·z_u, with
// z_u = (I − αWᵀ)⁻¹e_u, and Σ_v z_u[v]·r_v = p_u/(1−α). So the score not yet
// attributed to any record is U = p_t − Σ_v y_v·r_v = Σ_u res_u·p_u/(1−α) ≥ 0,
// and each record's share of it is non-negative: every listed amount is
// below its exact value by at most U, and a record not listed contributes
// at most the smallest listed amount plus U (at most U when fewer than
// topK are listed). Residual at a node no risk reaches (p_u = 0) accounts
// for nothing and is never pushed. Explanation.Unaccounted reports U.
// Safe for concurrent use.
//
// The state of the nodes the push touched lives in slots, one per node in
// the order it was first touched, found through a dense index of int32
// (docs/risk-model.md §4 "The work"): the rescans between rounds read the
// slots in order rather than the whole graph's state at random, and a
// slot holds the node's score, so a rescan reads one array, not two. The
// answer is the same, bit for bit, as when the state was kept per node
// (TestExplainBoundedSlotsUnchanged).
func ExplainBounded(g *Graph, op *Operator, in *Intrinsic, score []float64, alpha float64, target int32, topK int, bound float64, maxWork int) Explanation {
	s := getBoundedSpace(g.N())
	defer s.release()
	pt := score[target]
	s.touch(target, 1, pt)
	s.slots[0].res = 1 - alpha
	unaccounted := pt
	// Rounds: push, in first-come order, every node holding unaccounted
	// score res·p above θ; then lower θ and go again over the nodes
	// touched so far. A hub gathers residual from many neighbours before
	// it is pushed once per round. θ never falls below a quarter of the
	// largest unaccounted share left, so no round is empty; the scans of
	// the touched nodes count as work.
	theta := pt * (1 - alpha) / 4
	for work := 0; unaccounted > bound && work < maxWork; theta /= 4 {
		most := 0.0
		for i := range s.slots {
			sl := &s.slots[i]
			most = max(most, sl.res*sl.p)
		}
		work += len(s.slots)
		if most == 0 {
			break // nothing left that accounts for any score
		}
		theta = min(theta, most/4)
		s.queue = s.queue[:0]
		for i := range s.slots {
			if sl := &s.slots[i]; sl.res*sl.p > theta {
				sl.inQueue = true
				s.queue = append(s.queue, int32(i))
			}
		}
		for head := 0; head < len(s.queue) && unaccounted > bound && work < maxWork; head++ {
			su := &s.slots[s.queue[head]]
			su.inQueue = false
			r := su.res
			su.y += r
			su.res = 0
			u := su.v
			unaccounted -= r * in.Risk[u]
			b, e := op.Off[u], op.Off[u+1]
			work += int(e-b) + 1
			row, wt := op.Src[b:e], op.Wt[b:e:e]
			wt = wt[:len(row)]
			for k, j := range row {
				w := wt[k]
				if w == 0 {
					continue
				}
				var sj *boundedSlot
				if i := s.index[j]; i != 0 {
					sj = &s.slots[i-1]
				} else {
					pj := score[j]
					if pj == 0 {
						continue // no risk reaches j: residual there accounts for nothing
					}
					sj = s.touch(j, u+2, pj)
				}
				sj.res += alpha * w * r
				if !sj.inQueue && sj.res*sj.p > theta {
					sj.inQueue = true
					s.queue = append(s.queue, s.index[j]-1)
				}
			}
		}
	}
	return s.explanation(g, in, pt, topK, unaccounted)
}

// boundedSlot is the state of one node the bounded push touched.
type boundedSlot struct {
	y, res  float64
	p       float64 // the node's score
	v       int32   // the node
	parent  int32   // parent+2 (1: the target)
	inQueue bool
}

// boundedSpace is ExplainBounded's state, reused across calls: index[v]
// is 1 + the slot of node v, 0 for a node not touched. Only the entries
// of touched nodes are ever non-zero, and they are cleared after each
// call.
type boundedSpace struct {
	index []int32
	slots []boundedSlot
	queue []int32 // slots
	top   []Contribution
}

var boundedSpaces sync.Pool

func getBoundedSpace(n int) *boundedSpace {
	if s, ok := boundedSpaces.Get().(*boundedSpace); ok && len(s.index) >= n {
		return s
	}
	s := &boundedSpace{index: make([]int32, n)}
	adviseHuge(s.index, true) // read at random like the result's arrays (AdviseHugePages)
	return s
}

func (s *boundedSpace) release() {
	for i := range s.slots {
		s.index[s.slots[i].v] = 0
	}
	s.slots, s.queue, s.top = s.slots[:0], s.queue[:0], s.top[:0]
	boundedSpaces.Put(s)
}

// touch gives node v (score p, reached from parent+2) a slot.
func (s *boundedSpace) touch(v, parent int32, p float64) *boundedSlot {
	s.slots = append(s.slots, boundedSlot{v: v, parent: parent, p: p})
	s.index[v] = int32(len(s.slots))
	return &s.slots[len(s.slots)-1]
}

// explanation is explainSpace.explanation over the slots: the records of
// the touched nodes ranked by what each brings to p (y_v·s_k; ties by
// record), the topK largest kept with their paths back to the target. It
// keeps the topK by insertion into a short sorted list rather than sorting
// every record: the same list, since (amount, record) orders the records
// totally.
func (s *boundedSpace) explanation(g *Graph, in *Intrinsic, p float64, topK int, unaccounted float64) Explanation {
	top := s.top[:0]
	for i := range s.slots {
		sl := &s.slots[i]
		if sl.y == 0 {
			continue
		}
		for _, ri := range g.RecordsOf(sl.v) {
			if a := sl.y * in.Share[ri]; a > 0 {
				top = keepTop(top, Contribution{Record: ri, Subject: sl.v, Amount: a}, topK)
			}
		}
	}
	s.top = top
	ex := Explanation{Score: p, Remainder: p, Unaccounted: max(unaccounted, 0)}
	if len(top) > 0 {
		ex.Contributions = make([]Contribution, len(top))
		copy(ex.Contributions, top)
	}
	for i := range ex.Contributions {
		c := &ex.Contributions[i]
		for v := c.Subject; v >= 0 && len(c.Path) < 64; v = s.slots[s.index[v]-1].parent - 2 {
			c.Path = append(c.Path, v)
		}
		ex.Remainder -= c.Amount
	}
	return ex
}
