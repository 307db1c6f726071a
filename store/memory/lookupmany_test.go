package memory

import (
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"riskgraph/models"
)

// TestLookupResultsMatchesLookup: the batched look-up of results finds,
// reference for reference, what lookup finds — enterprises, persons,
// absent keys, keys of the other kind, other kinds, empty keys, repeated
// references, in blocks cut anywhere; small indexes, where a key's first
// slot often holds another key, take the ordinary probe. Then a key whose
// first slot holds another key with the same 32-bit hash (made by hand:
// the seed cannot be chosen) must still be found, and the other not
// taken for it.
func TestLookupResultsMatchesLookup(t *testing.T) {
	for _, n := range []int{0, 1, 5, 33, 700} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			g := newGraph()
			var refs []models.Ref
			for i := range n {
				key := fmt.Sprintf("src:t:%d", i)
				g.putEnterprise(&models.Enterprise{Key: key, Name: "企业", Status: models.StatusActive})
				refs = append(refs, models.EnterpriseRef(key))
				if i%3 == 0 {
					pid := fmt.Sprintf("pid-%d", i)
					g.putPerson(&models.Person{PID: pid, Name: "人"})
					refs = append(refs, models.PersonRef(pid))
				}
			}
			refs = append(refs, models.EnterpriseRef("src:t:absent"), models.PersonRef("pid-absent"), models.EnterpriseRef(""),
				models.Ref{Kind: models.KindRecord, Key: "src:t:1"}, models.PersonRef("src:t:1"), models.EnterpriseRef("pid-0"))
			rnd := rand.New(rand.NewPCG(uint64(n), 7))
			for range 3 * len(refs) {
				refs = append(refs, refs[rnd.IntN(len(refs))])
			}
			rs := make([]models.RiskResult, len(refs))
			for i, r := range refs {
				rs[i].Ref = r
			}
			for _, cut := range []int{0, 1, lookupBlock - 1, lookupBlock, lookupBlock + 3, len(rs)} {
				cut = min(cut, len(rs))
				part := rs[cut:]
				var got []string
				g.lookupResults(part, func(i int, id nodeID) { got = append(got, fmt.Sprintf("%d:%d", i, id)) })
				var want []string
				for i := range part {
					if id, ok := g.lookup(part[i].Ref); ok {
						want = append(want, fmt.Sprintf("%d:%d", i, id))
					}
				}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("from %d: got %v, want %v", cut, got, want)
				}
			}
		})
	}
}

func TestLookupResultsHashCollision(t *testing.T) {
	g := newGraph()
	for _, k := range []string{"src:t:a", "src:t:b", "src:t:c"} {
		g.putEnterprise(&models.Enterprise{Key: k, Name: "企业", Status: models.StatusActive})
	}
	a, _ := g.entOf("src:t:a")
	b, _ := g.entOf("src:t:b")
	c, _ := g.entOf("src:t:c")
	// Rebuild the index by hand: at b's first slot an entry with b's hash
	// naming a, then b's own entry in the next slot; c stays findable.
	x := &g.entID
	hb := uint32(maphash.String(x.seed, "src:t:b"))
	mask := len(x.slots) - 1
	clear(x.slots)
	x.slots[int(hb)&mask] = uint64(hb)<<32 | uint64(uint32(a+1))
	x.slots[(int(hb)+1)&mask] = uint64(hb)<<32 | uint64(uint32(b+1))
	x.place(uint64(uint32(maphash.String(x.seed, "src:t:c")))<<32 | uint64(uint32(c+1)))
	rs := []models.RiskResult{{Ref: models.EnterpriseRef("src:t:b")}, {Ref: models.EnterpriseRef("src:t:c")}, {Ref: models.EnterpriseRef("src:t:a")}}
	got := map[int]nodeID{}
	g.lookupResults(rs, func(i int, id nodeID) { got[i] = id })
	if got[0] != b || got[1] != c {
		t.Fatalf("got %v, want b=%d at 0, c=%d at 1", got, b, c)
	}
	if id, ok := got[2]; ok {
		// a's own entry is gone (the slot with b's hash names it): lookup
		// does not find it either.
		if want, wok := g.lookup(rs[2].Ref); !wok || want != id {
			t.Fatalf("a found as %d; lookup says %d %v", id, want, wok)
		}
	}
}

// BenchmarkLookupResults looks up the results of a daily run — every
// third enterprise and person of RISKGRAPH_LOOKUP_BENCH_NODES nodes (half
// each; 2 M by default, a 1 M-enterprise store's entities), in node order
// as the engine writes them — one by one (lookup, as before) and in
// blocks (lookupResults), alternating; ns/lookup for each.
func BenchmarkLookupResults(b *testing.B) {
	n := 2_000_000
	if v, err := strconv.Atoi(os.Getenv("RISKGRAPH_LOOKUP_BENCH_NODES")); err == nil && v > 0 {
		n = v
	}
	g := newGraph()
	var rs []models.RiskResult
	for i := range n / 2 {
		key := fmt.Sprintf("91110000%09dX", i)
		g.putEnterprise(&models.Enterprise{Key: key, Name: "企业", Status: models.StatusActive})
		if i%3 == 0 {
			rs = append(rs, models.RiskResult{Ref: models.EnterpriseRef(key)})
		}
	}
	for i := range n / 2 {
		pid := fmt.Sprintf("p1:%040x", uint64(i)*0x9e3779b97f4a7c15)
		g.putPerson(&models.Person{PID: pid, Name: "人"})
		if i%3 == 0 {
			rs = append(rs, models.RiskResult{Ref: models.PersonRef(pid)})
		}
	}
	var one, many time.Duration
	sum := 0
	for b.Loop() {
		t := time.Now()
		for i := range rs {
			if id, ok := g.lookup(rs[i].Ref); ok {
				sum += int(id)
			}
		}
		one += time.Since(t)
		t = time.Now()
		g.lookupResults(rs, func(_ int, id nodeID) { sum -= int(id) })
		many += time.Since(t)
	}
	if sum != 0 {
		b.Fatalf("the two look-ups differ")
	}
	b.ReportMetric(float64(one.Nanoseconds())/float64(b.N*len(rs)), "ns/lookup-one")
	b.ReportMetric(float64(many.Nanoseconds())/float64(b.N*len(rs)), "ns/lookup-blocks")
}
