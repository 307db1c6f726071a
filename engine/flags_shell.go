package engine

import "strconv"

// detectShellClusters finds groups of at least ShellClusterMin active
// enterprises at one normalised address, phone or e-mail. Groups that share
// enterprises (one address, one phone) are merged into one finding.
func detectShellClusters(g *Graph, _ *Ownership, fp *FlagParams, _ Day) []Finding {
	parent := map[int32]int32{}
	var find func(x int32) int32
	find = func(x int32) int32 {
		p, ok := parent[x]
		if !ok || p == x {
			return x
		}
		r := find(p)
		parent[x] = r
		return r
	}
	var big []int32 // group nodes over the threshold
	for v := int32(0); v < int32(g.N()); v++ {
		if k := g.Kinds[v]; k < NodeAddress {
			continue
		}
		active := 0
		for _, ei := range g.InEdges(v) {
			if g.Active(g.Edges[ei].From) {
				active++
			}
		}
		if active < fp.ShellClusterMin {
			continue
		}
		big = append(big, v)
		for _, ei := range g.InEdges(v) {
			if a := g.Edges[ei].From; g.Active(a) {
				ra, rv := find(a), find(v)
				if ra != rv {
					parent[ra] = rv
				}
			}
		}
	}
	byRoot := map[int32]*Finding{}
	var roots []int32
	for _, v := range big {
		r := find(v)
		f := byRoot[r]
		if f == nil {
			f = &Finding{Kind: FlagShellCluster, Threshold: fp.ShellClusterMin, From: NoDay, To: NoDay}
			byRoot[r] = f
			roots = append(roots, r)
		}
		if f.Value == "" || g.Kinds[v] == NodeAddress {
			f.Value = g.groupKindName(v) + ": " + g.Keys.At(v)
		}
		for _, ei := range g.InEdges(v) {
			if a := g.Edges[ei].From; g.Active(a) {
				f.Nodes = append(f.Nodes, a)
			}
		}
	}
	out := make([]Finding, 0, len(roots))
	for _, r := range roots {
		f := byRoot[r]
		f.Nodes = sortedUnique(f.Nodes)
		f.Flagged, f.Count = f.Nodes, len(f.Nodes)
		f.Value += " (" + strconv.Itoa(f.Count) + " active enterprises)"
		lo, hi := Day(1<<31-1), NoDay
		for _, v := range f.Nodes {
			if d := g.Established[v]; d != NoDay {
				lo, hi = min(lo, d), max(hi, d)
			}
		}
		if hi != NoDay {
			f.From, f.To = lo, hi
		}
		out = append(out, *f)
	}
	return out
}
