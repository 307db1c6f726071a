package ingest

import (
	"context"
	"fmt"
	"testing"

	"riskgraph/store/memory"
)

func BenchmarkGenerate(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			rows := 0
			for b.Loop() {
				gt, err := Generate(GenerateOptions{Enterprises: n, Seed: 1, Out: dir})
				if err != nil {
					b.Fatal(err)
				}
				rows = 0
				for _, r := range gt.Rows {
					rows += r
				}
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkLoadMemory loads a 10 000-enterprise sample into a memory store
// that journals to a data directory (one fsync per batch).
func BenchmarkLoadMemory(b *testing.B) {
	src := b.TempDir()
	if _, err := Generate(GenerateOptions{Enterprises: 10_000, Seed: 1, Out: src}); err != nil {
		b.Fatal(err)
	}
	opts := testOptions(b)
	var rows int64
	for b.Loop() {
		st, err := memory.Open(memory.Options{DataDir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		sum, err := LoadDir(context.Background(), src, st, opts)
		if err != nil {
			b.Fatal(err)
		}
		if sum.Total.Rejected != 0 {
			b.Fatalf("%d rejects", sum.Total.Rejected)
		}
		rows = sum.Total.Accepted
		st.Close()
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
