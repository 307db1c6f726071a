package engine

import (
	"context"
	"reflect"
	"testing"

	"riskgraph/store"
	"riskgraph/synth"
)

// explainBoundedPerNode is ExplainBounded as it was before the slots
// (session 9): the push's state kept per node of the graph (explainSpace)
// and every record of the touched nodes sorted. It is the reference
// TestExplainBoundedSlotsUnchanged holds the slots to.
func explainBoundedPerNode(g *Graph, op *Operator, in *Intrinsic, score []float64, alpha float64, target int32, topK int, bound float64, maxWork int) Explanation {
	s := getExplainSpace(g.N())
	defer s.release()
	node := s.node
	node[target] = pushState{res: 1 - alpha, parent: 1}
	s.touched = append(s.touched, target)
	pt := score[target]
	unaccounted := pt
	theta := pt * (1 - alpha) / 4
	for work := 0; unaccounted > bound && work < maxWork; theta /= 4 {
		most := 0.0
		for _, v := range s.touched {
			most = max(most, node[v].res*score[v])
		}
		work += len(s.touched)
		if most == 0 {
			break
		}
		theta = min(theta, most/4)
		s.queue = s.queue[:0]
		for _, v := range s.touched {
			if nv := &node[v]; nv.res*score[v] > theta {
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
				pj := score[j]
				if w == 0 || pj == 0 {
					continue
				}
				nj := &node[j]
				if nj.parent == 0 {
					nj.parent = u + 2
					s.touched = append(s.touched, j)
				}
				nj.res += alpha * w * r
				if !nj.inQueue && nj.res*pj > theta {
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

// sameExplanation fails t unless got is want, bit for bit: the same
// score, remainder and unaccounted part, the same records in the same
// order with the same amounts and paths.
func sameExplanation(t *testing.T, v int32, got, want Explanation) {
	t.Helper()
	if len(got.Contributions) == 0 && len(want.Contributions) == 0 {
		got.Contributions, want.Contributions = nil, nil
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("node %d: the explanation changed:\n got %+v\nwant %+v", v, got, want)
	}
}

// TestExplainBoundedSlotsUnchanged: the API's explanation (Result.Explain,
// ExplainBounded over slots) is, for every entity with a score, exactly
// the one the per-node push gave before, on both backends (the 2 000-
// enterprise sample: default parameters; a small work bound that stops
// most pushes midway with a small top_k; for every eighth, no tolerance,
// a large work bound and a top_k of 40), and for every seventh entity of
// the 20 000-enterprise sample from the memory store.
func TestExplainBoundedSlotsUnchanged(t *testing.T) {
	compare := func(t *testing.T, res *Result, step int32) {
		g, pp := res.Graph, &res.Params.Propagation
		checked := 0
		for v := int32(0); v < int32(g.N()); v += step {
			if !g.IsEntity(v) || res.Score[v] == 0 {
				continue
			}
			checked++
			bound := pp.ExplainTolerance * res.Score[v]
			sameExplanation(t, v, res.Explain(v),
				explainBoundedPerNode(g, res.Operator, res.Intrinsic, res.Score, pp.Alpha, v, pp.TopK, bound, pp.ExplainMaxWork))
			sameExplanation(t, v, ExplainBounded(g, res.Operator, res.Intrinsic, res.Score, pp.Alpha, v, 2, bound, 300),
				explainBoundedPerNode(g, res.Operator, res.Intrinsic, res.Score, pp.Alpha, v, 2, bound, 300))
			if checked%8 == 0 {
				sameExplanation(t, v, ExplainBounded(g, res.Operator, res.Intrinsic, res.Score, pp.Alpha, v, 40, 0, 200_000),
					explainBoundedPerNode(g, res.Operator, res.Intrinsic, res.Score, pp.Alpha, v, 40, 0, 200_000))
			}
		}
		if checked < 100 {
			t.Fatalf("only %d entities with a score compared", checked)
		}
	}
	gs := generated(t, 2_000)
	for name, open := range sameAsBackends(t) {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			ctx := context.Background()
			if err := gs.store.Scan(ctx, 5000, func(b *store.Batch) error { return st.WriteBatch(ctx, b) }); err != nil {
				t.Fatal(err)
			}
			res, err := Run(ctx, st, Options{Params: DefaultParams(), Today: synth.DefaultReferenceDate()})
			if err != nil {
				t.Fatal(err)
			}
			compare(t, res, 1)
		})
	}
	t.Run("20000", func(t *testing.T) {
		big := generated(t, 20_000)
		res, err := Compute(t.Context(), big.graph, Options{Params: DefaultParams(), Today: genToday.Date()})
		if err != nil {
			t.Fatal(err)
		}
		compare(t, res, 7)
	})
}
