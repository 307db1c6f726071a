package engine

import (
	"slices"
	"strconv"
)

// referenceDetectLegalReps is detectLegalReps as it was before it counted
// appointments first (d91bc2a), the reference TestFlagsMatchReference
// compares with. It finds serial legal representatives (legal representative
// of ≥ SerialLegalRepMin enterprises) and registration bursts (≥ BurstMin of
// the enterprises they lead established within BurstDays days).
func referenceDetectLegalReps(g *Graph, _ *Ownership, fp *FlagParams, today Day) []Finding {
	var out []Finding
	for v := int32(0); v < int32(g.N()); v++ {
		if g.Kinds[v] != NodePerson {
			continue
		}
		ents := legalRepEnterprises(g, v, today)
		if len(ents) < min(fp.SerialLegalRepMin, fp.BurstMin) {
			continue
		}
		// The enterprises with an establishment date, oldest first.
		dated := slices.Clone(ents)
		dated = slices.DeleteFunc(dated, func(e int32) bool { return g.Established[e] == NoDay })
		slices.SortStableFunc(dated, func(a, b int32) int { return int(g.Established[a] - g.Established[b]) })
		if len(ents) >= fp.SerialLegalRepMin {
			// From and To: the establishment dates of the oldest and newest.
			from, to := NoDay, NoDay
			if len(dated) > 0 {
				from, to = g.Established[dated[0]], g.Established[dated[len(dated)-1]]
			}
			out = append(out, Finding{Kind: FlagSerialLegalRep, Nodes: append([]int32{v}, ents...),
				Flagged: append([]int32{v}, ents...), Count: len(ents), Threshold: fp.SerialLegalRepMin,
				From: from, To: to, Value: strconv.Itoa(len(ents)) + " enterprises"})
		}
		// Sliding window over establishment dates.
		bestLo, bestHi := -1, -1
		lo := 0
		for hi := range dated {
			for g.Established[dated[hi]]-g.Established[dated[lo]] >= Day(fp.BurstDays) {
				lo++
			}
			if hi-lo+1 >= fp.BurstMin && (bestLo < 0 || hi-lo > bestHi-bestLo) {
				bestLo, bestHi = lo, hi
			}
		}
		if bestLo >= 0 {
			win := slices.Clone(dated[bestLo : bestHi+1])
			out = append(out, Finding{Kind: FlagRegistrationBurst, Nodes: append([]int32{v}, win...),
				Flagged: append([]int32{v}, win...), Count: len(win), Threshold: fp.BurstMin,
				From: g.Established[win[0]], To: g.Established[win[len(win)-1]],
				Value: strconv.Itoa(len(win)) + " enterprises within " + strconv.Itoa(fp.BurstDays) + " days"})
		}
	}
	return out
}

// referenceDetectFlags is DetectFlags with referenceDetectLegalReps.
func referenceDetectFlags(g *Graph, o *Ownership, p *Params, today Day) *Flags {
	f := &Flags{ByNode: map[int32][]int32{}}
	detectors := []func(*Graph, *Ownership, *FlagParams, Day) []Finding{
		detectHoldingCycles, detectShellClusters, referenceDetectLegalReps, detectRestricted,
		detectBlacklistProximity, detectDeepLayering, detectCommitments,
	}
	for _, d := range detectors {
		f.Findings = append(f.Findings, d(g, o, &p.Flags, today)...)
	}
	for i := range f.Findings {
		for _, v := range f.Findings[i].Flagged {
			f.ByNode[v] = append(f.ByNode[v], int32(i))
		}
	}
	return f
}
