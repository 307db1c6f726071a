package engine

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"riskgraph/models"
	"riskgraph/store"
)

type holding struct {
	holder string // "p:…" for persons, else an enterprise key
	target string
	ratio  float64
}

func holdingBatch(hs []holding) *store.Batch {
	b := &store.Batch{}
	seen := map[string]bool{}
	ent := func(k string) {
		if !seen[k] {
			seen[k] = true
			b.Enterprises = append(b.Enterprises, models.Enterprise{Key: k, Name: k, Status: models.StatusActive})
		}
	}
	for _, h := range hs {
		ref := models.EnterpriseRef(h.holder)
		if strings.HasPrefix(h.holder, "p:") {
			ref = models.PersonRef(h.holder[2:])
			if !seen[h.holder] {
				seen[h.holder] = true
				b.Persons = append(b.Persons, models.Person{PID: h.holder[2:], Name: h.holder})
			}
		} else {
			ent(h.holder)
		}
		ent(h.target)
		b.Shareholdings = append(b.Shareholdings, models.Shareholding{Holder: ref, Enterprise: h.target, Ratio: h.ratio})
	}
	return b
}

// matrixOwnership computes O = D·(I − W)⁻¹ with a dense solve (gonum mat):
// the independent reference for ComputeOwnership.
func matrixOwnership(t *testing.T, g *Graph) map[[2]int32]float64 {
	t.Helper()
	var ents, pers []int32
	idx := map[int32]int{}
	for v := int32(0); v < int32(g.N()); v++ {
		switch g.Kinds[v] {
		case NodeEnterprise:
			idx[v] = len(ents)
			ents = append(ents, v)
		case NodePerson:
			idx[v] = len(pers)
			pers = append(pers, v)
		}
	}
	ne, np := len(ents), len(pers)
	W := mat.NewDense(ne, ne, nil)
	D := mat.NewDense(np, ne, nil)
	for _, e := range g.Edges {
		if e.Type != EdgeHolds {
			continue
		}
		if g.Kinds[e.From] == NodePerson {
			D.Set(idx[e.From], idx[e.To], D.At(idx[e.From], idx[e.To])+float64(e.Ratio))
		} else {
			W.Set(idx[e.From], idx[e.To], W.At(idx[e.From], idx[e.To])+float64(e.Ratio))
		}
	}
	IW := mat.NewDense(ne, ne, nil)
	for i := 0; i < ne; i++ {
		for j := 0; j < ne; j++ {
			v := -W.At(i, j)
			if i == j {
				v++
			}
			IW.Set(i, j, v)
		}
	}
	// O·(I − W) = D  ⇔  (I − W)ᵀ·Oᵀ = Dᵀ
	var Ot mat.Dense
	if err := Ot.Solve(IW.T(), D.T()); err != nil {
		t.Fatal(err)
	}
	out := map[[2]int32]float64{}
	for pi, p := range pers {
		for ei, e := range ents {
			if v := Ot.At(ei, pi); math.Abs(v) > 1e-15 {
				out[[2]int32{p, e}] = v
			}
		}
	}
	return out
}

func allStakes(t *testing.T, g *Graph) map[[2]int32]float64 {
	t.Helper()
	p := DefaultParams()
	p.Ownership.BeneficialThreshold = 1e-12 // keep every stake
	o := ComputeOwnership(g, &p, genToday)
	out := map[[2]int32]float64{}
	for v := int32(0); v < int32(g.N()); v++ {
		for _, s := range o.BeneficialOwners(v) {
			out[[2]int32{s.Person, v}] = s.Share
		}
	}
	return out
}

func compareStakes(t *testing.T, g *Graph, got, want map[[2]int32]float64) {
	t.Helper()
	for k, w := range want {
		if math.Abs(got[k]-w) > 1e-9 {
			t.Errorf("person %s in %s: integrated ownership %.12f, matrix solve %.12f", g.Keys.At(k[0]), g.Keys.At(k[1]), got[k], w)
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok && v > 1e-12 {
			t.Errorf("person %s in %s: %.12f, matrix solve has none", g.Keys.At(k[0]), g.Keys.At(k[1]), v)
		}
	}
}

// TestIntegratedOwnershipMatchesMatrixSolve checks ComputeOwnership against
// a dense solve of O = D(I − W)⁻¹ on hand-made graphs with chains, a mutual
// holding, a 3-cycle with a tail, and random graphs full of cycles.
func TestIntegratedOwnershipMatchesMatrixSolve(t *testing.T) {
	cases := map[string][]holding{
		"chain":  {{"p:a", "A", 0.6}, {"A", "B", 0.5}, {"p:b", "B", 0.5}, {"B", "C", 1}},
		"mutual": {{"p:a", "A", 0.5}, {"p:b", "B", 0.5}, {"A", "B", 0.5}, {"B", "A", 0.5}},
		"cycle3": {{"A", "B", 0.4}, {"B", "C", 0.3}, {"C", "A", 0.2}, {"p:a", "A", 0.8}, {"p:b", "B", 0.6},
			{"p:c", "C", 0.7}, {"C", "D", 0.9}, {"p:d", "D", 0.1}},
		"diamond": {{"p:a", "A", 1}, {"A", "B", 0.5}, {"A", "C", 0.5}, {"B", "D", 0.3}, {"C", "D", 0.3}, {"p:b", "D", 0.4}},
	}
	rnd := rand.New(rand.NewPCG(7, 11))
	for k := 0; k < 5; k++ {
		var hs []holding
		ne, np := 25, 8
		for e := 0; e < ne; e++ {
			left := 1.0
			for h := 0; h < 1+rnd.IntN(4); h++ {
				r := math.Round(rnd.Float64()*left*100) / 100
				if r == 0 {
					continue
				}
				left -= r
				holder := fmt.Sprintf("E%02d", rnd.IntN(ne))
				if rnd.IntN(2) == 0 {
					holder = fmt.Sprintf("p:%d", rnd.IntN(np))
				}
				if holder == fmt.Sprintf("E%02d", e) {
					continue
				}
				hs = append(hs, holding{holder, fmt.Sprintf("E%02d", e), r})
			}
		}
		cases[fmt.Sprintf("random%d", k)] = hs
	}
	for name, hs := range cases {
		t.Run(name, func(t *testing.T) {
			g := projectBatch(t, holdingBatch(hs))
			compareStakes(t, g, allStakes(t, g), matrixOwnership(t, g))
		})
	}
}

func TestBeneficialOwnersAndController(t *testing.T) {
	type want struct {
		bo         map[string]float64 // pid → share
		controller string             // pid or key; "" none
	}
	cases := []struct {
		name   string
		hs     []holding
		target string
		want   want
	}{
		{"two tie at 50%: both owners, no controller", []holding{{"p:a", "X", 0.5}, {"p:b", "X", 0.5}}, "X",
			want{map[string]float64{"a": 0.5, "b": 0.5}, ""}},
		{"four tie at 25%: all owners", []holding{{"p:a", "X", 0.25}, {"p:b", "X", 0.25}, {"p:c", "X", 0.25}, {"p:d", "X", 0.25}}, "X",
			want{map[string]float64{"a": 0.25, "b": 0.25, "c": 0.25, "d": 0.25}, ""}},
		{"below threshold: none", []holding{{"p:a", "X", 0.2}, {"p:b", "X", 0.2}, {"p:c", "X", 0.2}, {"p:d", "X", 0.2}, {"p:e", "X", 0.2}}, "X",
			want{map[string]float64{}, ""}},
		{"indirect control through a chain", []holding{{"p:a", "A", 0.6}, {"A", "B", 0.6}, {"B", "X", 0.51}, {"p:b", "X", 0.49}}, "X",
			want{map[string]float64{"b": 0.49}, "a"}}, // a owns 0.6·0.6·0.51 = 0.1836 < 25 %, but controls
		{"aggregated control: own stake plus a controlled company", []holding{{"p:a", "A", 0.6}, {"A", "X", 0.3}, {"p:a", "X", 0.25}, {"p:b", "X", 0.45}}, "X",
			want{map[string]float64{"a": 0.43, "b": 0.45}, "a"}},
		{"mutual holding", []holding{{"p:a", "A", 0.5}, {"p:b", "B", 0.5}, {"A", "B", 0.5}, {"B", "A", 0.5}}, "A",
			want{map[string]float64{"a": 0.5 / 0.75, "b": 0.25 / 0.75}, ""}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := projectBatch(t, holdingBatch(c.hs))
			p := DefaultParams()
			o := ComputeOwnership(g, &p, genToday)
			x, _ := g.Lookup(models.EnterpriseRef(c.target))
			got := map[string]float64{}
			for _, s := range o.BeneficialOwners(x) {
				got[g.Keys.At(s.Person)] = s.Share
			}
			if len(got) != len(c.want.bo) {
				t.Fatalf("beneficial owners %v, want %v", got, c.want.bo)
			}
			for k, w := range c.want.bo {
				if math.Abs(got[k]-w) > 1e-9 {
					t.Errorf("owner %s: %v, want %v", k, got[k], w)
				}
			}
			ctrl := ""
			if v := o.Controller[x]; v >= 0 {
				ctrl = g.Keys.At(v)
			}
			if ctrl != c.want.controller {
				t.Errorf("controller %q, want %q", ctrl, c.want.controller)
			}
		})
	}
}

func TestOwnershipChains(t *testing.T) {
	g := projectBatch(t, holdingBatch([]holding{{"p:a", "A", 1}, {"A", "B", 0.5}, {"A", "C", 0.5}, {"B", "D", 0.3}, {"C", "D", 0.3}, {"p:a", "D", 0.1}}))
	a, _ := g.Lookup(models.PersonRef("a"))
	d, _ := g.Lookup(models.EnterpriseRef("D"))
	chains := OwnershipChains(g, a, d, 5, 10, genToday)
	if len(chains) != 3 {
		t.Fatalf("%d chains, want 3", len(chains))
	}
	sum := 0.0
	for _, c := range chains {
		sum += c.Share
		if c.Nodes[0] != a || c.Nodes[len(c.Nodes)-1] != d {
			t.Errorf("chain %v does not run from a to D", c.Nodes)
		}
	}
	if math.Abs(sum-0.4) > 1e-9 || math.Abs(chains[0].Share-0.15) > 1e-9 {
		t.Errorf("chain shares %v, want 0.15, 0.15, 0.1", chains)
	}
}

// TestStakeArena: vectors have the length asked for and a power-of-two
// capacity that does not overlap another live vector; a vector put back
// is handed out again for a length of its class, not for a larger one.
func TestStakeArena(t *testing.T) {
	var a stakeArena
	if a.get(0) != nil {
		t.Fatal("get(0) is not nil")
	}
	x, y := a.get(3), a.get(4)
	if len(x) != 3 || cap(x) != 4 || len(y) != 4 || cap(y) != 4 {
		t.Fatalf("len/cap %d/%d and %d/%d, want 3/4 and 4/4", len(x), cap(x), len(y), cap(y))
	}
	x = x[:cap(x)]
	for i := range x {
		x[i] = Stake{Person: 1, Share: 1}
	}
	for _, s := range y {
		if s.Person != 0 {
			t.Fatal("writing one vector's capacity changed another")
		}
	}
	a.put(x)
	if z := a.get(5); &z[0] == &x[0] {
		t.Error("a vector of capacity 4 was handed out for length 5")
	}
	if z := a.get(3); len(z) != 3 || cap(z) != 4 || &z[0] != &x[0] {
		t.Error("a vector put back was not reused for a length of its class")
	}
}

// randomHoldingGraph is a projected graph of ne enterprises and np persons
// whose edges are replaced by random ones: holdings from persons and
// enterprises (cross-holdings and longer cycles, parallel holdings of one
// pair, ratios of 0, ratios adding up to more than 1, holdings that start
// after today) among legal representatives and branch links.
func randomHoldingGraph(t *testing.T, rnd *rand.Rand, ne, np int) *Graph {
	t.Helper()
	var hs []holding
	for i := range ne {
		hs = append(hs, holding{fmt.Sprintf("p:%d", i%np), fmt.Sprintf("E%03d", i), 0.5})
	}
	g := projectBatch(t, holdingBatch(hs))
	var ents, pers []int32
	for v := int32(0); v < int32(g.N()); v++ {
		switch g.Kinds[v] {
		case NodeEnterprise:
			ents = append(ents, v)
		case NodePerson:
			pers = append(pers, v)
		}
	}
	ratios := []float64{0, 0.1, 0.25, 0.3, 0.5, 0.51, 0.6, 0.7, 1}
	var es []Edge
	for _, to := range ents {
		for range rnd.IntN(5) {
			e := Edge{From: ents[rnd.IntN(len(ents))], To: to, Type: EdgeHolds, Ratio: ratios[rnd.IntN(len(ratios))], Since: NoDay, Until: NoDay}
			if rnd.IntN(3) == 0 {
				e.From = pers[rnd.IntN(len(pers))]
			}
			switch rnd.IntN(12) {
			case 0:
				e.Since = genToday + 10 // not yet in force
			case 1:
				e.Since = genToday - 100
			case 2:
				e.Type = EdgeLegalRep
				e.From = pers[rnd.IntN(len(pers))]
			case 3:
				e.Type = EdgeBranch
			}
			if e.From == to && e.Type == EdgeHolds {
				continue
			}
			es = append(es, e)
			if rnd.IntN(10) == 0 {
				es = append(es, e) // a parallel holding
			}
		}
	}
	slices.SortStableFunc(es, func(a, b Edge) int { return cmp.Compare(a.From, b.From) })
	n := g.N()
	g.Edges = es
	g.OutOff = make([]int32, n+1)
	for _, e := range es {
		g.OutOff[e.From+1]++
	}
	for v := range n {
		g.OutOff[v+1] += g.OutOff[v]
	}
	g.InOff, g.In = bucketIndex(n, len(es), make([]int32, n), func(i int) int32 { return es[i].To })
	return g
}

// TestOwnershipMatchesReference requires ComputeOwnership to give exactly
// (bit for bit, every field) what the implementation before the holdings
// index gave (referenceOwnership), on the generator's samples and on
// random graphs full of cycles, parallel holdings, ties and holdings not
// yet in force, at several thresholds.
func TestOwnershipMatchesReference(t *testing.T) {
	check := func(t *testing.T, g *Graph, p *Params) {
		t.Helper()
		got, want := ComputeOwnership(g, p, genToday), referenceOwnership(g, p, genToday)
		if !reflect.DeepEqual(got, want) {
			for v := int32(0); v < int32(g.N()); v++ {
				if got.Controller[v] != want.Controller[v] || got.Majority[v] != want.Majority[v] || got.Layers[v] != want.Layers[v] ||
					got.Top[v] != want.Top[v] || got.SCC[v] != want.SCC[v] || !reflect.DeepEqual(got.BeneficialOwners(v), want.BeneficialOwners(v)) {
					t.Fatalf("node %d (%s): controller %d majority %d layers %d top %d scc %d owners %v; reference %d %d %d %d %d %v", v, g.Keys.At(v),
						got.Controller[v], got.Majority[v], got.Layers[v], got.Top[v], got.SCC[v], got.BeneficialOwners(v),
						want.Controller[v], want.Majority[v], want.Layers[v], want.Top[v], want.SCC[v], want.BeneficialOwners(v))
				}
			}
			t.Fatalf("ownership differs from the reference (offsets or components)")
		}
	}
	for _, n := range []int{10_000, 30_000} {
		t.Run(fmt.Sprint("generated", n), func(t *testing.T) {
			p := DefaultParams()
			check(t, generated(t, n).graph, &p)
		})
	}
	rnd := rand.New(rand.NewPCG(19, 2))
	for k := range 40 {
		t.Run(fmt.Sprint("random", k), func(t *testing.T) {
			g := randomHoldingGraph(t, rnd, 20+rnd.IntN(200), 5+rnd.IntN(40))
			for _, bt := range []float64{0.25, 1e-12} {
				p := DefaultParams()
				p.Ownership.BeneficialThreshold = bt
				check(t, g, &p)
			}
		})
	}
}
