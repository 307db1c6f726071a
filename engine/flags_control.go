package engine

import (
	"slices"
	"strconv"
)

// blacklisted reports whether v has a record in force on today whose kind is listed.
func blacklisted(g *Graph, v int32, kinds []string, today Day) (int32, bool) {
	for _, ri := range g.RecordsOf(v) {
		r := &g.Records[ri]
		if !g.counts(ri, today) || (r.Removed != NoDay && r.Removed <= today) {
			continue
		}
		if slices.Contains(kinds, g.RecordKinds[r.Kind]) {
			return ri, true
		}
	}
	return -1, false
}

// controlNeighbours calls fn for every node tied to v by control: a
// majority holding (either direction) or a legal representative (either direction).
func controlNeighbours(g *Graph, v int32, threshold float64, today Day, fn func(int32)) {
	ok := func(e *Edge) bool {
		if e.Since != NoDay && e.Since > today {
			return false
		}
		switch e.Type {
		case EdgeHolds:
			return e.Ratio > threshold
		case EdgeLegalRep:
			return e.Until == NoDay || e.Until > today
		}
		return false
	}
	for i := g.OutOff[v]; i < g.OutOff[v+1]; i++ {
		if e := &g.Edges[i]; ok(e) {
			fn(e.To)
		}
	}
	for _, ei := range g.InEdges(v) {
		if e := &g.Edges[ei]; ok(e) {
			fn(e.From)
		}
	}
}

// detectBlacklistProximity flags enterprises within BlacklistHops control
// hops of an entity with a blacklisting record in force (not the entity
// itself). One finding per blacklisted entity lists what it reaches.
func detectBlacklistProximity(g *Graph, _ *Ownership, fp *FlagParams, today Day) []Finding {
	var out []Finding
	dist := map[int32]int{}
	for s := int32(0); s < int32(g.N()); s++ {
		if !g.IsEntity(s) {
			continue
		}
		rec, ok := blacklisted(g, s, fp.BlacklistKinds, today)
		if !ok {
			continue
		}
		clear(dist)
		dist[s] = 0
		frontier := []int32{s}
		var reached []int32
		for hop := 1; hop <= fp.BlacklistHops && len(frontier) > 0; hop++ {
			var next []int32
			for _, v := range frontier {
				controlNeighbours(g, v, 0.5, today, func(u int32) {
					if _, seen := dist[u]; !seen {
						dist[u] = hop
						next = append(next, u)
						if g.Kinds[u] == NodeEnterprise {
							reached = append(reached, u)
						}
					}
				})
			}
			frontier = next
		}
		if len(reached) == 0 {
			continue
		}
		reached = sortedUnique(reached)
		out = append(out, Finding{Kind: FlagBlacklistProximity, From: NoDay, To: NoDay, Nodes: append([]int32{s}, reached...), Flagged: reached,
			Count: len(reached), Threshold: fp.BlacklistHops, Records: []int32{rec},
			Value: "within " + strconv.Itoa(fp.BlacklistHops) + " control hops"})
	}
	return out
}

// detectDeepLayering flags enterprises whose majority chain from a
// controlling person has at least LayeringMin enterprises. One finding per
// person lists the longest chain and every enterprise over the threshold.
func detectDeepLayering(g *Graph, o *Ownership, fp *FlagParams, _ Day) []Finding {
	byTop := map[int32]*Finding{}
	var tops []int32
	for v := int32(0); v < int32(g.N()); v++ {
		if g.Kinds[v] != NodeEnterprise || int(o.Layers[v]) < fp.LayeringMin || o.Top[v] < 0 || g.Kinds[o.Top[v]] != NodePerson {
			continue
		}
		top := o.Top[v]
		f := byTop[top]
		if f == nil {
			f = &Finding{Kind: FlagDeepLayering, Threshold: fp.LayeringMin, From: NoDay, To: NoDay}
			byTop[top] = f
			tops = append(tops, top)
		}
		f.Flagged = append(f.Flagged, v)
		if int(o.Layers[v]) > f.Count {
			f.Count = int(o.Layers[v])
			f.Nodes = o.MajorityChain(v)
			f.Value = strconv.Itoa(f.Count) + " enterprises in the control chain"
		}
	}
	out := make([]Finding, 0, len(tops))
	for _, t := range tops {
		out = append(out, *byTop[t])
	}
	return out
}
