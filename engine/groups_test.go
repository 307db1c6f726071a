package engine

import (
	"testing"

	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/community"
	"gonum.org/v1/gonum/graph/simple"
	"math/rand/v2"

	"riskgraph/models"
)

// TestLouvainMatchesGonumModularity: on the generated graph, our Louvain
// reaches at least gonum's modularity (less 0.01), and our Modularity
// agrees with gonum's community.Q on the same partition.
func TestLouvainMatchesGonumModularity(t *testing.T) {
	gs := generated(t, 2_000)
	u := relationshipGraph(gs.graph)
	comm, q := Louvain(u, 1)
	sg := simple.NewWeightedUndirectedGraph(0, 0)
	for v := 0; v < u.N(); v++ {
		sg.AddNode(simple.Node(v))
	}
	for v := 0; v < u.N(); v++ {
		for k := u.Off[v]; k < u.Off[v+1]; k++ {
			d := int64(u.Dst[k])
			if d <= int64(v) {
				continue
			}
			w := u.W[k]
			if e := sg.WeightedEdge(int64(v), d); e != nil {
				w += e.Weight()
			}
			sg.SetWeightedEdge(sg.NewWeightedEdge(simple.Node(v), simple.Node(d), w))
		}
	}
	ref := community.Modularize(sg, 1, rand.NewPCG(1, 2))
	qRef := community.Q(sg, ref.Communities(), 1)
	byComm := map[int32][]int32{}
	for v, c := range comm {
		byComm[c] = append(byComm[c], int32(v))
	}
	var communities [][]graph.Node
	for _, vs := range byComm {
		var c []graph.Node
		for _, v := range vs {
			c = append(c, simple.Node(v))
		}
		communities = append(communities, c)
	}
	qOurs := community.Q(sg, communities, 1)
	t.Logf("modularity: ours %.4f (gonum Q of our partition %.4f), gonum Louvain %.4f, %d communities", q, qOurs, qRef, len(byComm))
	if diff := q - qOurs; diff > 1e-9 || diff < -1e-9 {
		t.Errorf("our modularity %.9f differs from gonum's Q %.9f for the same partition", q, qOurs)
	}
	if q < qRef-0.01 {
		t.Errorf("modularity %.4f below gonum's %.4f", q, qRef)
	}
}

// TestControlGroups: majority holdings and branches join groups; minority holdings do not.
func TestControlGroups(t *testing.T) {
	b := holdingBatch([]holding{{"p:a", "A", 0.6}, {"A", "B", 0.8}, {"p:b", "C", 0.3}, {"C", "D", 0.2}})
	b.Branches = []models.Branch{{Branch: "E", Parent: "B"}}
	b.Enterprises = append(b.Enterprises, models.Enterprise{Key: "E", Name: "E"})
	g := projectBatch(t, b)
	grp, size := ControlGroups(g, 0.5, genToday)
	id := func(r models.Ref) int32 { v, _ := g.Lookup(r); return v }
	a, bb, e, c, d := id(models.EnterpriseRef("A")), id(models.EnterpriseRef("B")), id(models.EnterpriseRef("E")), id(models.EnterpriseRef("C")), id(models.EnterpriseRef("D"))
	pa := id(models.PersonRef("a"))
	if grp[a] != grp[bb] || grp[a] != grp[e] || grp[a] != grp[pa] || size[a] != 4 {
		t.Errorf("a, A, B, E not one group of 4: %v %v %v %v size %d", grp[pa], grp[a], grp[bb], grp[e], size[a])
	}
	if grp[c] == grp[d] || size[c] != 1 {
		t.Errorf("minority holding joined C and D")
	}
}
