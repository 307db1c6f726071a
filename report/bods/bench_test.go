package bods_test

import (
	"io"
	"testing"

	"riskgraph/report/bods"
)

// BenchmarkExportAll writes every declaration of a synthetic graph of
// 10 000 enterprises (memory store) to io.Discard; b.N exports.
func BenchmarkExportAll(b *testing.B) {
	s := memStore(b)
	synthetic(b, s, 10_000)
	b.ResetTimer()
	for range b.N {
		w := bods.NewWriter(io.Discard)
		n, err := bods.ExportAll(b.Context(), s, rules(), opts, w)
		if err != nil || n == 0 {
			b.Fatal(n, err)
		}
		_ = w.Close()
	}
}
