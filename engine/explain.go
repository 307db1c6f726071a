package engine

import "sort"

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

// Explain decomposes the score of target into per-record contributions.
// The score is linear in the records' shares s_k (docs/risk-model.md):
// p_t = Σ_k y_{subject(k)}·s_k with y = (1−α)(I − αWᵀ)⁻¹e_t, and y is found
// by a reverse push from the target (residuals below eps are left).
func Explain(g *Graph, op *Operator, in *Intrinsic, score []float64, alpha float64, target int32, topK int, eps float64) Explanation {
	y := map[int32]float64{}
	res := map[int32]float64{target: 1 - alpha}
	parent := map[int32]int32{target: -1}
	queue := []int32{target}
	inQueue := map[int32]bool{target: true}
	for steps := 0; len(queue) > 0 && steps < 2_000_000; steps++ {
		u := queue[0]
		queue = queue[1:]
		inQueue[u] = false
		r := res[u]
		if r <= eps {
			continue
		}
		y[u] += r
		res[u] = 0
		for k := op.Off[u]; k < op.Off[u+1]; k++ {
			j, w := op.Src[k], op.Wt[k]
			if w == 0 {
				continue
			}
			if _, seen := parent[j]; !seen {
				parent[j] = u
			}
			res[j] += alpha * w * r
			if res[j] > eps && !inQueue[j] {
				inQueue[j] = true
				queue = append(queue, j)
			}
		}
	}
	var all []Contribution
	for v, yv := range y {
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
		for v := c.Subject; v >= 0 && len(c.Path) < 64; v = parent[v] {
			c.Path = append(c.Path, v)
		}
		ex.Remainder -= c.Amount
	}
	return ex
}
