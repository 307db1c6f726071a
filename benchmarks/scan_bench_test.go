package benchmarks

import (
	"context"
	"testing"
	"time"

	"riskgraph/engine"
	"riskgraph/store"
	"riskgraph/store/memory"
)

// BenchmarkScanMemory: the memory store's scans alone, with a consumer
// that only counts rows, over the generator's sample at each of
// RISKGRAPH_ENGINE_SIZES. first-scan-s is the first scan of the loaded
// store (it sorts every node); ns/op is a scan after that (the memory store
// keeps the key order of its last scan).
func BenchmarkScanMemory(b *testing.B) {
	eachLoadedSize(b, func(b *testing.B, st *memory.Store) {
		ctx := context.Background()
		var scans = []struct {
			name string
			scan func() (int, error)
		}{
			{"copy", func() (int, error) {
				rows := 0
				err := st.Scan(ctx, engine.ProjectPageSize, func(p *store.Batch) error { rows += p.Len(); return nil })
				return rows, err
			}},
			{"projection", func() (int, error) {
				rows := 0
				err := st.ScanProjection(ctx, engine.ProjectPageSize, func(p *store.ProjectionPage) error { rows += p.Len(); return nil })
				return rows, err
			}},
		}
		for _, sc := range scans {
			b.Run(sc.name, func(b *testing.B) {
				start := time.Now()
				rows, err := sc.scan()
				if err != nil {
					b.Fatal(err)
				}
				first := time.Since(start).Seconds()
				b.ResetTimer()
				for b.Loop() {
					if _, err := sc.scan(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(first, "first-scan-s")
				b.ReportMetric(float64(rows), "rows")
				b.ReportMetric(float64(rows)/(float64(b.Elapsed().Seconds())/float64(b.N)), "rows/s")
			})
		}
	})
}
