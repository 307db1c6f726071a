package engine

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

type pagerankFixture struct {
	N               int          `json:"n"`
	Edges           [][3]float64 `json:"edges"`
	Alpha           float64      `json:"alpha"`
	Personalization []float64    `json:"personalization"`
	Dangling        []float64    `json:"dangling"`
	Expected        []float64    `json:"expected"`
}

// TestPersonalizedPageRankMatchesNetworkx compares with values networkx
// computed (scripts/networkx/pagerank_reference.py) within 1e-9 in L1, with
// one worker and with several.
func TestPersonalizedPageRankMatchesNetworkx(t *testing.T) {
	files, err := filepath.Glob("testdata/pagerank/*.json")
	if err != nil || len(files) < 4 {
		t.Fatalf("fixtures: %v (%d files)", err, len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var fx pagerankFixture
			if err := json.Unmarshal(raw, &fx); err != nil {
				t.Fatal(err)
			}
			var from, to []int32
			var w []float64
			for _, e := range fx.Edges {
				from, to, w = append(from, int32(e[0])), append(to, int32(e[1])), append(w, e[2])
			}
			g := NewWeightedDigraph(fx.N, from, to, w)
			var first []float64
			for _, workers := range []int{1, 2, 7} {
				x, _, err := PersonalizedPageRank(g, PageRankOptions{Alpha: fx.Alpha, Personalization: fx.Personalization,
					Dangling: fx.Dangling, Tol: 1e-15, MaxIter: 100000, Workers: workers})
				if err != nil {
					t.Fatal(err)
				}
				l1 := 0.0
				for i := range x {
					l1 += math.Abs(x[i] - fx.Expected[i])
				}
				if l1 > 1e-9 {
					t.Errorf("workers %d: L1 distance to networkx %g > 1e-9", workers, l1)
				}
				if first == nil {
					first = x
				}
				for i := range x {
					if x[i] != first[i] {
						t.Fatalf("workers %d: score %d differs bitwise from one worker", workers, i)
					}
				}
			}
		})
	}
}

func TestPersonalizedPageRankErrors(t *testing.T) {
	g := NewWeightedDigraph(2, []int32{0}, []int32{1}, []float64{1})
	if _, _, err := PersonalizedPageRank(g, PageRankOptions{Personalization: []float64{0, 0}}); err == nil {
		t.Error("zero personalization accepted")
	}
	if _, _, err := PersonalizedPageRank(g, PageRankOptions{Alpha: 1.5}); err == nil {
		t.Error("alpha 1.5 accepted")
	}
	if _, _, err := PersonalizedPageRank(g, PageRankOptions{Tol: 1e-300, MaxIter: 2}); err == nil {
		t.Error("no ErrNotConverged after 2 iterations")
	}
}
