package engine

import (
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
	// push's residual (Unaccounted).
	Remainder float64
	// Unaccounted is the part of the score the push attributed to no
	// record: each listed amount is at most this much below its exact
	// value (up to the scores' own convergence error).
	Unaccounted float64
}

// explainSpace is the reverse push's dense state, reused across calls so
// that an explanation allocates only its result. Only the entries of
// touched nodes are ever non-zero, and they are cleared after each call.
type explainSpace struct {
	node    []pushState
	touched []int32
	queue   []int32
}

// pushState is one node's state in a reverse push, together so that a
// push to a node costs one cache miss, not four.
type pushState struct {
	y, res  float64
	parent  int32 // parent+2 of a touched node (1: the target), 0: not touched
	inQueue bool
}

var explainSpaces sync.Pool

func getExplainSpace(n int) *explainSpace {
	if s, ok := explainSpaces.Get().(*explainSpace); ok && len(s.node) >= n {
		return s
	}
	return &explainSpace{node: make([]pushState, n)}
}

func (s *explainSpace) release() {
	for _, v := range s.touched {
		s.node[v] = pushState{}
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
	node := s.node
	node[target] = pushState{res: 1 - alpha, parent: 1, inQueue: true}
	s.touched = append(s.touched, target)
	s.queue = append(s.queue, target)
	for head, steps := 0, 0; head < len(s.queue) && steps < 2_000_000; steps++ {
		u := s.queue[head]
		head++
		nu := &node[u]
		nu.inQueue = false
		r := nu.res
		if r <= eps {
			continue
		}
		nu.y += r
		nu.res = 0
		b, e := op.Off[u], op.Off[u+1]
		row, wt := op.Src[b:e], op.Wt[b:e:e]
		wt = wt[:len(row)]
		for k, j := range row {
			w := wt[k]
			if w == 0 {
				continue
			}
			nj := &node[j]
			if nj.parent == 0 {
				nj.parent = u + 2
				s.touched = append(s.touched, j)
			}
			nj.res += alpha * w * r
			if nj.res > eps && !nj.inQueue {
				nj.inQueue = true
				s.queue = append(s.queue, j)
			}
		}
	}
	unaccounted := score[target]
	for _, v := range s.touched {
		unaccounted -= node[v].y * in.Risk[v]
	}
	return s.explanation(g, in, score[target], topK, unaccounted)
}

// keepTop inserts c into top, sorted by amount (largest first, ties by
// record), if it is among the k largest, and returns top (at most k long).
func keepTop(top []Contribution, c Contribution, k int) []Contribution {
	ahead := func(a, b *Contribution) bool {
		return a.Amount > b.Amount || a.Amount == b.Amount && a.Record < b.Record
	}
	n := len(top)
	if k < 1 || n == k && !ahead(&c, &top[n-1]) {
		return top
	}
	if top == nil {
		top = make([]Contribution, 0, min(k, 8))
	}
	if n < k {
		top = append(top, c)
	}
	i := min(n, k-1)
	for ; i > 0 && ahead(&c, &top[i-1]); i-- {
		top[i] = top[i-1]
	}
	top[i] = c
	return top
}

// explanation lists the records of the touched nodes by what each brings
// to the target's score p (y_v·s_k), keeps the topK largest (ties by
// record) with their paths back to the target, and states what is left
// unaccounted.
func (s *explainSpace) explanation(g *Graph, in *Intrinsic, p float64, topK int, unaccounted float64) Explanation {
	node := s.node
	// The topK largest, kept sorted as they come (ties by record: a
	// record has one subject, so the order is total and the list is the
	// head of the whole list sorted).
	var all []Contribution
	for _, v := range s.touched {
		yv := node[v].y
		if yv == 0 {
			continue
		}
		for _, ri := range g.RecordsOf(v) {
			if a := yv * in.Share[ri]; a > 0 {
				all = keepTop(all, Contribution{Record: ri, Subject: v, Amount: a}, topK)
			}
		}
	}
	ex := Explanation{Score: p, Contributions: all, Remainder: p, Unaccounted: max(unaccounted, 0)}
	for i := range ex.Contributions {
		c := &ex.Contributions[i]
		for v := c.Subject; v >= 0 && len(c.Path) < 64; v = node[v].parent - 2 {
			c.Path = append(c.Path, v)
		}
		ex.Remainder -= c.Amount
	}
	return ex
}
