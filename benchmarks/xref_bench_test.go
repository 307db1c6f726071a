package benchmarks

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/longbridgeapp/opencc"

	"riskgraph/match"
	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/memory"
)

// BenchmarkXref measures riskgraph xref (issue 15 §3: ≤ 5 min at 1 M
// enterprises) on the generator's sample of each size of
// RISKGRAPH_XREF_SIZES (default 10 000; the figure needs
// RISKGRAPH_XREF_SIZES=1000000, run alone):
//
//	RISKGRAPH_XREF_SIZES=100000,200000 go test -run '^$' -bench '^BenchmarkXref$' -benchtime 1x -timeout 60m ./benchmarks/
//
// Into the loaded store it plants duplicates: every 50th enterprise gets a
// second record under a source key of another data set (src:dup:<i>), its
// name written another way in turn — traditional characters, the city
// without 市, the other legal-form spelling, the region prefix dropped (with
// the phone as the only other clue), as registered with the phone
// reformatted. ns/op is one whole xref run (match.RunXref: index from one
// scan, blocking and scoring, writing the pairs). Reported: seconds per
// stage, pairs found, recall of the planted pairs and the share of found
// pairs that are planted ones (the synthetic data holds no other
// duplicates, though a pair of real namesakes without USCC can score as one).
func BenchmarkXref(b *testing.B) {
	for _, n := range sizesFromEnv("RISKGRAPH_XREF_SIZES") {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			st := loadedStore(b, n)
			planted := plantDuplicates(b, st)
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				start := time.Now()
				sum, _, err := match.RunXref(context.Background(), st, fmt.Sprintf("xref-bench-%d", i), match.DupeOptions{}, time.Now)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(time.Since(start).Seconds(), "xref-s")
				b.ReportMetric(float64(sum.TimingsMS["index"])/1000, "index-s")
				b.ReportMetric(float64(sum.TimingsMS["search"])/1000, "search-s")
				b.ReportMetric(float64(sum.TimingsMS["write"])/1000, "write-s")
				b.ReportMetric(float64(sum.Stats.Enterprises), "enterprises")
				b.ReportMetric(float64(sum.Stats.Compared), "compared")
				b.ReportMetric(float64(sum.Found), "pairs")
				skipped := 0
				for _, k := range sum.Stats.Skipped {
					skipped += k
				}
				b.ReportMetric(float64(skipped), "blocks-skipped")
				if i == 0 {
					hit, ofFound := plantedRecall(b, st, planted)
					b.ReportMetric(hit, "recall")
					b.ReportMetric(ofFound, "planted-share")
				}
			}
		})
	}
}

// plantDuplicates writes the planted second records and returns the
// pairs (original key, planted key) by variant.
func plantDuplicates(b *testing.B, st *memory.Store) map[[2]string]string {
	b.Helper()
	s2t, err := opencc.New("s2t")
	if err != nil {
		b.Fatal(err)
	}
	var ents []models.Enterprise
	err = st.Scan(context.Background(), 10_000, func(p *store.Batch) error {
		for _, e := range p.Enterprises {
			if !e.Placeholder && e.Name != "" {
				ents = append(ents, e)
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	variants := []struct {
		name string
		f    func(e models.Enterprise) (models.Enterprise, bool)
	}{
		{"traditional", func(e models.Enterprise) (models.Enterprise, bool) {
			out, err := s2t.Convert(e.Name)
			return models.Enterprise{Name: out, Region: e.Region}, err == nil && out != e.Name
		}},
		{"city-without-shi", func(e models.Enterprise) (models.Enterprise, bool) {
			i := strings.Index(e.Name, "市")
			ok := i > 0 && i <= 12 && !strings.HasPrefix(e.Name[i:], "市政") && !strings.HasPrefix(e.Name[i:], "市场")
			return models.Enterprise{Name: e.Name[:max(i, 0)] + e.Name[max(i, 0)+len("市"):]}, ok
		}},
		{"legal-form", func(e models.Enterprise) (models.Enterprise, bool) {
			if n, ok := strings.CutSuffix(e.Name, "有限公司"); ok && !strings.HasSuffix(n, "股份") && !strings.HasSuffix(n, "集团") {
				return models.Enterprise{Name: n + "有限责任公司", Address: e.Address}, true
			}
			return models.Enterprise{}, false
		}},
		{"region-dropped+phone", func(e models.Enterprise) (models.Enterprise, bool) {
			i := strings.Index(e.Name, "市")
			return models.Enterprise{Name: e.Name[max(i, 0)+len("市"):], Phone: e.Phone}, i > 0 && i <= 12 && e.Phone != ""
		}},
		{"as-registered+phone", func(e models.Enterprise) (models.Enterprise, bool) {
			return models.Enterprise{Name: e.Name, Phone: "+86 " + e.Phone}, e.Phone != ""
		}},
	}
	planted := map[[2]string]string{}
	var batch store.Batch
	for i := 0; i < len(ents); i += 50 {
		e := ents[i]
		v := variants[(i/50)%len(variants)]
		dup, ok := v.f(e)
		if !ok {
			continue
		}
		dup.Key, dup.Status = fmt.Sprintf("src:dup:%d", i), models.StatusActive
		batch.Enterprises = append(batch.Enterprises, dup)
		a, c := min(e.Key, dup.Key), max(e.Key, dup.Key)
		planted[[2]string{a, c}] = v.name
	}
	if err := st.WriteBatch(context.Background(), &batch); err != nil {
		b.Fatal(err)
	}
	return planted
}

// plantedRecall returns the share of planted pairs found (logging the
// recall per variant) and the share of found pairs that are planted.
func plantedRecall(b *testing.B, st *memory.Store, planted map[[2]string]string) (recall, share float64) {
	b.Helper()
	found := map[[2]string]bool{}
	q := store.XrefQuery{Limit: 10_000}
	for {
		ps, err := st.XrefPairs(context.Background(), q)
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range ps {
			found[[2]string{p.A, p.B}] = true
		}
		if len(ps) < q.Limit {
			break
		}
		q.AfterScore, q.AfterID = ps[len(ps)-1].Score, ps[len(ps)-1].ID
	}
	hits, byVariant := 0, map[string][2]int{}
	misses := 0
	for k, v := range planted {
		c := byVariant[v]
		c[1]++
		if found[k] {
			hits++
			c[0]++
		} else if misses++; misses <= 2 {
			ea, _ := st.Enterprise(context.Background(), k[0])
			eb, _ := st.Enterprise(context.Background(), k[1])
			b.Logf("missed %s: %s %q (region %s) / %s %q", v, ea.Key, ea.Name, ea.Region, eb.Key, eb.Name)
		}
		byVariant[v] = c
	}
	for v, c := range byVariant {
		b.Logf("planted %-22s found %d of %d", v, c[0], c[1])
	}
	others := 0
	for k := range found {
		if _, ok := planted[k]; !ok {
			if others++; others <= 2 {
				ea, _ := st.Enterprise(context.Background(), k[0])
				eb, _ := st.Enterprise(context.Background(), k[1])
				b.Logf("not planted: %s %q (region %s) / %s %q (region %s)", ea.Key, ea.Name, ea.Region, eb.Key, eb.Name, eb.Region)
			}
		}
	}
	b.Logf("found %d pairs, %d of them planted (%d planted)", len(found), hits, len(planted))
	if len(planted) == 0 || len(found) == 0 {
		return 0, 0
	}
	return float64(hits) / float64(len(planted)), float64(hits) / float64(len(found))
}
