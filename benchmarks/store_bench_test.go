package benchmarks

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"riskgraph/ingest"
	"riskgraph/models"
	"riskgraph/store/memory"
	"riskgraph/store/neo4j/neo4jtest"
	"riskgraph/synth"
)

// sampleSize is the number of enterprises of the benchmark sample; override
// with RISKGRAPH_BENCH_ENTERPRISES.
func sampleSize() int {
	if n, err := strconv.Atoi(os.Getenv("RISKGRAPH_BENCH_ENTERPRISES")); err == nil && n > 0 {
		return n
	}
	return 10_000
}

var (
	sampleOnce sync.Once
	sampleDir  string
	sampleErr  error
)

// sample generates the benchmark data set once per process (seed 1).
func sample(b *testing.B) string {
	sampleOnce.Do(func() {
		sampleDir, sampleErr = os.MkdirTemp("", "riskgraph-bench")
		if sampleErr == nil {
			_, sampleErr = synth.Generate(synth.GenerateOptions{Enterprises: sampleSize(), Seed: 1, Out: sampleDir})
		}
	})
	if sampleErr != nil {
		b.Fatal(sampleErr)
	}
	return sampleDir
}

func loadOptions(b *testing.B, batch int) ingest.LoadOptions {
	h, err := models.NewPIDHasher([]byte("benchmark-key-0123456789"))
	if err != nil {
		b.Fatal(err)
	}
	return ingest.LoadOptions{Hasher: h, Source: "bench", BatchSize: batch, Logger: zerolog.Nop()}
}

// load loads the sample into w and reports rows per second.
func load(b *testing.B, w ingest.Writer, batch int) ingest.LoadSummary {
	start := time.Now()
	sum, err := ingest.LoadDir(context.Background(), sample(b), w, loadOptions(b, batch))
	if err != nil {
		b.Fatal(err)
	}
	if sum.Total.Rejected != 0 {
		b.Fatalf("%d rows rejected", sum.Total.Rejected)
	}
	b.ReportMetric(float64(sum.Total.Accepted)/time.Since(start).Seconds(), "rows/s")
	b.ReportMetric(float64(sum.Total.Accepted), "rows")
	return sum
}

// BenchmarkLoadMemory: the sample through the canonical loader into the
// memory store with its fsynced journal (one fsync per batch).
func BenchmarkLoadMemory(b *testing.B) {
	for _, batch := range []int{1000, 5000} {
		b.Run("batch="+strconv.Itoa(batch), func(b *testing.B) {
			sample(b)
			for i := 0; i < b.N; i++ {
				s, err := memory.Open(memory.Options{DataDir: b.TempDir(), Logger: zerolog.Nop()})
				if err != nil {
					b.Fatal(err)
				}
				load(b, s, batch)
				s.Close()
			}
		})
	}
}

// BenchmarkLoadNeo4j: the sample through the canonical loader into a real
// Neo4j, one managed transaction per batch, into an emptied database.
func BenchmarkLoadNeo4j(b *testing.B) {
	for _, batch := range []int{1000, 5000} {
		b.Run("batch="+strconv.Itoa(batch), func(b *testing.B) {
			sample(b)
			for i := 0; i < b.N; i++ {
				s := neo4jtest.Open(b)
				load(b, s, batch)
			}
		})
	}
}

// BenchmarkReplayJournal: opening a memory store whose journal holds the sample.
func BenchmarkReplayJournal(b *testing.B) {
	dir := b.TempDir()
	s, err := memory.Open(memory.Options{DataDir: dir, Logger: zerolog.Nop()})
	if err != nil {
		b.Fatal(err)
	}
	load(b, s, ingest.DefaultBatchSize)
	s.Close()
	fi, _ := os.Stat(filepath.Join(dir, memory.JournalFile))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := memory.Open(memory.Options{DataDir: dir, Logger: zerolog.Nop()})
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
	b.ReportMetric(float64(fi.Size())/(1<<20), "journal-MiB")
}
