package benchmarks

import (
	"context"
	"testing"

	"riskgraph/engine"
	"riskgraph/models"
	"riskgraph/store/memory"
	"riskgraph/synth"
)

// BenchmarkWriteBackRender: rendering every entity's result for the store
// (score, grade, flags and, for C/D or flagged entities, the details with
// their explanation) after a full run — the part of `riskgraph score` that
// the engine benchmark leaves out. Sizes as BenchmarkEngineFull
// (RISKGRAPH_ENGINE_SIZES). The store write itself is not timed.
func BenchmarkWriteBackRender(b *testing.B) {
	eachLoadedSize(b, func(b *testing.B, st *memory.Store) {
		res, err := engine.Run(context.Background(), st, engine.Options{Params: engine.DefaultParams(), Today: synth.DefaultReferenceDate()})
		if err != nil {
			b.Fatal(err)
		}
		var rows, details int
		for b.Loop() {
			rows, details = 0, 0
			err := res.Results("bench", func(batch []models.RiskResult) error {
				for _, r := range batch {
					rows++
					if r.Details != nil {
						details++
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(rows), "results")
		b.ReportMetric(float64(details), "with-details")
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/render")
	})
}
