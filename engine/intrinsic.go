package engine

import "math"

// recordWeight is c = w_kind · s · decay of one record on day today
// (docs/risk-model.md, "Intrinsic risk"). Records decided after today count 0.
func recordWeight(ip *IntrinsicParams, kind string, r *Record, today Day) float64 {
	if r.Decided == NoDay || r.Decided > today {
		return 0
	}
	kp := ip.kind(kind)
	s := float64(r.Severity)
	if s == 0 {
		s = kp.Severity
	}
	c := kp.Weight * s
	if r.Removed != NoDay && r.Removed <= today {
		// Decay in force until lifted, then the lifted factor and the faster half-life.
		c *= math.Exp2(-float64(r.Removed-r.Decided)/kp.HalfLifeDays) * ip.LiftedFactor *
			math.Exp2(-float64(today-r.Removed)/ip.LiftedHalfLifeDays)
	} else {
		c *= math.Exp2(-float64(today-r.Decided) / kp.HalfLifeDays)
	}
	return min(max(c, 0), 1)
}

// Intrinsic is every node's intrinsic risk and each record's share of it.
type Intrinsic struct {
	// Risk per node: 1 − Π(1 − c_k) over the node's records.
	Risk []float64
	// Share per record: the part of its subject's risk attributed to it,
	// Risk·c_k/Σc; the shares of a node's records sum to its Risk.
	Share []float64
}

// ComputeIntrinsic computes intrinsic risk on day today.
func ComputeIntrinsic(g *Graph, p *Params, today Day) *Intrinsic {
	in := &Intrinsic{Risk: make([]float64, g.N()), Share: make([]float64, len(g.Records))}
	c := make([]float64, len(g.Records))
	parallelChunks(g.N(), p.Workers, func(_, lo, hi int) {
		for v := lo; v < hi; v++ {
			recs := g.RecordsOf(int32(v))
			if len(recs) == 0 {
				continue
			}
			prod, sum := 1.0, 0.0
			for _, ri := range recs {
				r := &g.Records[ri]
				c[ri] = 0
				if g.counts(ri, today) { // positive, neutral and ended records carry no risk (life.go)
					c[ri] = recordWeight(&p.Intrinsic, g.RecordKinds[r.Kind], r, today)
				}
				prod *= 1 - c[ri]
				sum += c[ri]
			}
			risk := 1 - prod
			in.Risk[v] = risk
			if sum > 0 {
				for _, ri := range recs {
					in.Share[ri] = risk * c[ri] / sum
				}
			}
		}
	})
	return in
}
