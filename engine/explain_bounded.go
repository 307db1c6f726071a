package engine

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
func ExplainBounded(g *Graph, op *Operator, in *Intrinsic, score []float64, alpha float64, target int32, topK int, bound float64, maxWork int) Explanation {
	s := getExplainSpace(g.N())
	defer s.release()
	node := s.node
	node[target] = pushState{res: 1 - alpha, p: score[target], parent: 1}
	s.touched = append(s.touched, target)
	pt := score[target]
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
		for _, v := range s.touched {
			most = max(most, node[v].res*node[v].p)
		}
		work += len(s.touched)
		if most == 0 {
			break // nothing left that accounts for any score
		}
		theta = min(theta, most/4)
		s.queue = s.queue[:0]
		for _, v := range s.touched {
			if nv := &node[v]; nv.res*nv.p > theta {
				nv.inQueue = true
				s.queue = append(s.queue, v)
			}
		}
		for head := 0; head < len(s.queue) && unaccounted > bound && work < maxWork; head++ {
			u := s.queue[head]
			nu := &node[u]
			nu.inQueue = false
			r := nu.res
			nu.y += r
			nu.res = 0
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
				nj := &node[j]
				if nj.parent == 0 {
					pj := score[j]
					if pj == 0 {
						continue // no risk reaches j: residual there accounts for nothing
					}
					nj.parent, nj.p = u+2, pj
					s.touched = append(s.touched, j)
				}
				nj.res += alpha * w * r
				if !nj.inQueue && nj.res*nj.p > theta {
					nj.inQueue = true
					s.queue = append(s.queue, j)
				}
			}
		}
	}
	for _, v := range s.queue {
		node[v].inQueue = false
	}
	return s.explanation(g, in, pt, topK, unaccounted)
}
