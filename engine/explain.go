package engine

import (
	"sort"
	"sync"
)

// Contribution is the part of a target's score that comes from one record.
type Contribution struct {
	Record  int32 // index into Graph.Records
	Subject int32 // the entity the record belongs to
	// Path runs from the subject to the target along the strongest-first
	// pushes (just the target for its own records).
	Path   []int32
	Amount float64
}

// Explanation decomposes a score: Σ Contributions + Remainder = Score exactly.
type Explanation struct {
	Score         float64
	Contributions []Contribution
	// Remainder is everything not listed: smaller contributions and the
	// push's residual (at most ε·(number of pushes)/(1−α)).
	Remainder float64
}

// explainSpace is the reverse push's dense state, reused across calls so
// that an explanation allocates only its result. Only the entries of
// touched nodes are ever non-zero, and they are cleared after each call.
type explainSpace struct {
	y, res  []float64
	parent  []int32 // parent+2 of a touched node (1: the target), 0: not touched
	inQueue []bool
	touched []int32
	queue   []int32
}

var explainSpaces sync.Pool

func getExplainSpace(n int) *explainSpace {
	if s, ok := explainSpaces.Get().(*explainSpace); ok && len(s.y) >= n {
		return s
	}
	return &explainSpace{y: make([]float64, n), res: make([]float64, n), parent: make([]int32, n), inQueue: make([]bool, n)}
}

func (s *explainSpace) release() {
	for _, v := range s.touched {
		s.y[v], s.res[v], s.parent[v], s.inQueue[v] = 0, 0, 0, false
	}
	s.touched, s.queue = s.touched[:0], s.queue[:0]
	explainSpaces.Put(s)
}

// Explain decomposes the score of target into per-record contributions.
// The score is linear in the records' shares s_k (docs/risk-model.md):
// p_t = Σ_k y_{subject(k)}·s_k with y = (1−α)(I − αWᵀ)⁻¹e_t, and y is found
// by a reverse push from the target (residuals below eps are left). It is
// safe for concurrent use.
func Explain(g *Graph, op *Operator, in *Intrinsic, score []float64, alpha float64, target int32, topK int, eps float64) Explanation {
	s := getExplainSpace(g.N())
	defer s.release()
	s.res[target], s.parent[target], s.inQueue[target] = 1-alpha, 1, true
	s.touched = append(s.touched, target)
	s.queue = append(s.queue, target)
	for head, steps := 0, 0; head < len(s.queue) && steps < 2_000_000; steps++ {
		u := s.queue[head]
		head++
		s.inQueue[u] = false
		r := s.res[u]
		if r <= eps {
			continue
		}
		s.y[u] += r
		s.res[u] = 0
		for k := op.Off[u]; k < op.Off[u+1]; k++ {
			j, w := op.Src[k], op.Wt[k]
			if w == 0 {
				continue
			}
			if s.parent[j] == 0 {
				s.parent[j] = u + 2
				s.touched = append(s.touched, j)
			}
			s.res[j] += alpha * w * r
			if s.res[j] > eps && !s.inQueue[j] {
				s.inQueue[j] = true
				s.queue = append(s.queue, j)
			}
		}
	}
	var all []Contribution
	for _, v := range s.touched {
		yv := s.y[v]
		if yv == 0 {
			continue
		}
		for _, ri := range g.RecordsOf(v) {
			if a := yv * in.Share[ri]; a > 0 {
				all = append(all, Contribution{Record: ri, Subject: v, Amount: a})
			}
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].Amount != all[j].Amount {
			return all[i].Amount > all[j].Amount
		}
		return all[i].Record < all[j].Record
	})
	if len(all) > topK {
		all = all[:topK]
	}
	ex := Explanation{Score: score[target], Contributions: all, Remainder: score[target]}
	for i := range ex.Contributions {
		c := &ex.Contributions[i]
		for v := c.Subject; v >= 0 && len(c.Path) < 64; v = s.parent[v] - 2 {
			c.Path = append(c.Path, v)
		}
		ex.Remainder -= c.Amount
	}
	return ex
}
