package synth

import (
	"fmt"
	"testing"
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
