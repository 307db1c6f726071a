package benchmarks

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"riskgraph/engine"
	"riskgraph/report"
	"riskgraph/store"
	"riskgraph/synth"
)

// creditReportSizes are the generator sizes of the credit report
// benchmark (RISKGRAPH_CREDIT_REPORT_SIZES, default 10000; the recorded
// figure is at 100000).
func creditReportSizes() []int { return sizesFromEnv("RISKGRAPH_CREDIT_REPORT_SIZES") }

// BenchmarkCreditReport: a scored generator graph in the memory store;
// each iteration issues the credit report of a random enterprise (build,
// seal, store) and renders it as JSON (the issued bytes), HTML or PDF.
// p50 and p99 of one report are reported per format.
func BenchmarkCreditReport(b *testing.B) {
	for _, n := range creditReportSizes() {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			ctx := context.Background()
			st := loadedStore(b, n)
			res, run, err := engine.Score(ctx, st, engine.Options{Params: engine.DefaultParams(), Today: synth.DefaultReferenceDate()}, "run-cr", time.Now)
			if err != nil {
				b.Fatal(err)
			}
			var keys []string
			if err := st.Scan(ctx, 10_000, func(p *store.Batch) error {
				for _, e := range p.Enterprises {
					if !e.Placeholder {
						keys = append(keys, e.Key)
					}
				}
				return nil
			}); err != nil {
				b.Fatal(err)
			}
			in := report.CreditInput{Store: st, Result: res, Run: run}
			rng := rand.New(rand.NewPCG(1, 2))
			for _, format := range []string{"json", "html", "pdf"} {
				b.Run(format, func(b *testing.B) {
					var lat []time.Duration
					for b.Loop() {
						key := keys[rng.IntN(len(keys))]
						t0 := time.Now()
						d, body, err := report.IssueCredit(ctx, in, st, key, "bench")
						if err != nil {
							b.Fatal(err)
						}
						switch format {
						case "html":
							body, err = report.RenderCreditHTML(d)
						case "pdf":
							body, err = report.RenderCreditPDF(d)
						}
						if err != nil || len(body) == 0 {
							b.Fatal(err)
						}
						lat = append(lat, time.Since(t0))
					}
					slices.Sort(lat)
					q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
					b.ReportMetric(q(0.5), "p50-ms")
					b.ReportMetric(q(0.99), "p99-ms")
				})
			}
		})
	}
}
