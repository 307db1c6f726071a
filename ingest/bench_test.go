package ingest

import (
	"context"
	"testing"

	"riskgraph/store/memory"
	"riskgraph/synth"
)

// BenchmarkLoadMemory loads a 10 000-enterprise sample into a memory store
// that journals to a data directory (one fsync per batch).
func BenchmarkLoadMemory(b *testing.B) {
	src := b.TempDir()
	if _, err := synth.Generate(synth.GenerateOptions{Enterprises: 10_000, Seed: 1, Out: src}); err != nil {
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
