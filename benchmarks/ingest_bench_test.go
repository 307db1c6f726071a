package benchmarks

import (
	"bufio"
	"context"
	"embed"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/rs/zerolog"

	"riskgraph/ingest"
	"riskgraph/ingest/reader"
	"riskgraph/models"
	"riskgraph/store/memory"
	neo4jstore "riskgraph/store/neo4j"
	"riskgraph/store/neo4j/neo4jtest"
	"riskgraph/synth"
)

// The ingest benchmarks (issue 3) load the generator's data at
// RISKGRAPH_BENCH_INGEST_ENTERPRISES enterprises (default 100 000, about
// 1 M rows) through ingest.Load — reader, identity hashing, validation,
// batches in flight — and compare with Neo4j's own LOAD CSV … CALL { } IN
// TRANSACTIONS on the same files. RISKGRAPH_BENCH_INGEST_DIR reads a sample
// generated before instead (e.g. $TMPDIR/riskgraph-bulk-1000000, which
// benchmarks/bulk.sh keeps). RISKGRAPH_BENCH_INGEST_BATCH sets the
// loader's rows per batch (its default when unset). The Neo4j benchmarks
// report each file's time (s/<file>: files load one after the other) and,
// with NEO4J_PID set to the server's process id, the server's CPU seconds
// for the load and for each file (server-cpu-s, server-cpu-s/<file>): on a
// shared machine the server's CPU per row compares two forms better than
// their wall time. Run them with
//
//	BENCH=Ingest BENCHTIME=1x benchmarks/run.sh

//go:embed loadcsv/*.cypher
var loadCSV embed.FS

func ingestSize() int {
	if n, err := strconv.Atoi(os.Getenv("RISKGRAPH_BENCH_INGEST_ENTERPRISES")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

var (
	ingestOnce sync.Once
	ingestDir  string
	ingestRows int
	ingestErr  error
)

// ingestSample generates the ingest benchmark's data once per process.
func ingestSample(b *testing.B) (string, int) {
	ingestOnce.Do(func() {
		if dir := os.Getenv("RISKGRAPH_BENCH_INGEST_DIR"); dir != "" {
			// A sample generated before (riskgraph generate --seed 1, as
			// benchmarks/bulk.sh keeps it): read as it is.
			ingestDir = dir
			ingestRows, ingestErr = countCSVRows(dir)
			return
		}
		ingestDir, ingestErr = os.MkdirTemp("", "riskgraph-ingest-bench")
		if ingestErr != nil {
			return
		}
		var gt *synth.GroundTruth
		gt, ingestErr = synth.Generate(synth.GenerateOptions{Enterprises: ingestSize(), Seed: 1, Out: ingestDir})
		if ingestErr == nil {
			for _, n := range gt.Rows {
				ingestRows += n
			}
		}
	})
	if ingestErr != nil {
		b.Fatal(ingestErr)
	}
	return ingestDir, ingestRows
}

// countCSVRows counts the data rows of the CSV files in dir (lines less
// one header each; the generator writes no line breaks inside values).
func countCSVRows(dir string) (int, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.csv"))
	if err != nil {
		return 0, err
	}
	rows := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return 0, err
		}
		rows += strings.Count(string(data), "\n") - 1
	}
	return rows, nil
}

func ingestOptions(b *testing.B, inFlight int) ingest.LoadOptions {
	h, err := models.NewPIDHasher([]byte("benchmark-key-0123456789"))
	if err != nil {
		b.Fatal(err)
	}
	batch, _ := strconv.Atoi(os.Getenv("RISKGRAPH_BENCH_INGEST_BATCH")) // 0: the loader's default
	return ingest.LoadOptions{Hasher: h, Source: "bench", InFlight: inFlight, BatchSize: batch, Logger: zerolog.Nop(), MaxRejects: -1}
}

func runIngest(b *testing.B, w ingest.Writer, opts ingest.LoadOptions) {
	dir, _ := ingestSample(b)
	ins, err := reader.Expand([]string{dir})
	if err != nil {
		b.Fatal(err)
	}
	// Files load one after the other, so a file's time is from the last
	// acknowledged batch of the one before to its own last one.
	var mu sync.Mutex
	lastAck := map[ingest.FileKind]time.Time{}
	lastCPU := map[ingest.FileKind]float64{}
	opts.OnBatch = func(d ingest.BatchDone) {
		cpu, _ := serverCPUSeconds()
		mu.Lock()
		lastAck[d.Kind] = time.Now()
		lastCPU[d.Kind] = cpu
		mu.Unlock()
	}
	cpu0, cpuOK := serverCPUSeconds()
	start := time.Now()
	sum, err := ingest.Load(context.Background(), ins, w, opts)
	if err != nil {
		b.Fatal(err)
	}
	if sum.Total.Rejected != 0 {
		b.Fatalf("%d rows rejected: %v", sum.Total.Rejected, sum.Rejects)
	}
	el := time.Since(start)
	prev, prevCPU := start, cpu0
	for _, k := range ingest.FileKinds {
		if t, ok := lastAck[k]; ok {
			b.ReportMetric(t.Sub(prev).Seconds(), "s/"+string(k))
			prev = t
			if cpuOK {
				b.ReportMetric(lastCPU[k]-prevCPU, "server-cpu-s/"+string(k))
				prevCPU = lastCPU[k]
			}
		}
	}
	if cpu, ok := serverCPUSeconds(); ok && cpuOK {
		b.ReportMetric(cpu-cpu0, "server-cpu-s")
	}
	b.ReportMetric(float64(sum.Total.Accepted)/el.Seconds(), "rows/s")
	b.ReportMetric(float64(sum.Total.Accepted), "rows")
	b.ReportMetric(el.Seconds(), "s/load")
}

// BenchmarkIngestMemory: the sample into the embedded store with its
// fsynced journal.
func BenchmarkIngestMemory(b *testing.B) {
	for _, inFlight := range []int{1, 4} {
		b.Run("inflight="+strconv.Itoa(inFlight), func(b *testing.B) {
			ingestSample(b)
			for b.Loop() {
				s, err := memory.Open(memory.Options{DataDir: b.TempDir(), Logger: zerolog.Nop()})
				if err != nil {
					b.Fatal(err)
				}
				runIngest(b, s, ingestOptions(b, inFlight))
				s.Close()
			}
		})
	}
}

// BenchmarkIngestDryRun: reading, hashing and validating only (no store):
// the loader's own ceiling.
func BenchmarkIngestDryRun(b *testing.B) {
	ingestSample(b)
	for b.Loop() {
		opts := ingestOptions(b, 1)
		opts.DryRun = true
		runIngest(b, nil, opts)
	}
}

// BenchmarkIngestBulkFiles: the sample written as neo4j-admin import files
// (the files phase of riskgraph ingest --bulk-neo4j), without the import.
func BenchmarkIngestBulkFiles(b *testing.B) {
	ingestSample(b)
	for b.Loop() {
		w, err := neo4jstore.NewBulkWriter(filepath.Join(b.TempDir(), "files"))
		if err != nil {
			b.Fatal(err)
		}
		runIngest(b, w, ingestOptions(b, ingest.DefaultInFlight))
		if _, err := w.Finish(""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIngestNeo4j: the sample into a real, emptied Neo4j, with 1, 2
// and 4 batches in flight.
func BenchmarkIngestNeo4j(b *testing.B) {
	for _, inFlight := range []int{1, 2, 4} {
		b.Run("inflight="+strconv.Itoa(inFlight), func(b *testing.B) {
			ingestSample(b)
			for b.Loop() {
				s := neo4jtest.Open(b)
				runIngest(b, s, ingestOptions(b, inFlight))
				// Transactions the driver ran again (deadlocks between
				// batches in flight).
				b.ReportMetric(float64(s.WriteRetries()), "retries")
			}
		})
	}
}

// BenchmarkLoadCSVNeo4j: the same files through Neo4j's LOAD CSV … CALL
// { } IN TRANSACTIONS OF 5000 ROWS, served to the server over http:// by
// a Go file server (no change to the server's import settings), one file
// after the other in dependency order, into an emptied database. The
// concurrent=4 form runs the node files (enterprises, persons) IN 4
// CONCURRENT TRANSACTIONS (Neo4j 5.21+) and the others as before: on 5.26
// the relationship files fail that way (shareholdings: DeadlockDetected
// between two of the statement's own transactions, and ON ERROR RETRY is
// not in 5.26), so this is the best LOAD CSV form that loads every file.
func BenchmarkLoadCSVNeo4j(b *testing.B) {
	for _, form := range []struct{ name, in string }{
		{"serial", "IN TRANSACTIONS OF"},
		{"concurrent=4", "IN 4 CONCURRENT TRANSACTIONS OF"},
	} {
		b.Run(form.name, func(b *testing.B) { loadCSVNeo4j(b, form.in) })
	}
}

func loadCSVNeo4j(b *testing.B, in string) {
	dir, rows := ingestSample(b)
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	for b.Loop() {
		neo4jtest.Open(b) // empties the database, keeps the schema
		d, database := neo4jtest.Driver(b)
		ctx := context.Background()
		cpu0, cpuOK := serverCPUSeconds()
		prevCPU := cpu0
		start := time.Now()
		prev := start
		for _, k := range ingest.FileKinds {
			q, err := loadCSV.ReadFile("loadcsv/" + string(k) + ".cypher")
			if err != nil {
				b.Fatal(err)
			}
			text := string(q)
			if k == ingest.FileEnterprises || k == ingest.FilePersons {
				text = strings.Replace(text, "IN TRANSACTIONS OF", in, 1)
			}
			sess := d.NewSession(ctx, driver.SessionConfig{DatabaseName: database, AccessMode: driver.AccessModeWrite})
			res, err := sess.Run(ctx, text, map[string]any{"url": srv.URL + "/" + k.FileName()})
			if err == nil {
				_, err = res.Consume(ctx)
			}
			sess.Close(ctx)
			if err != nil {
				b.Fatalf("LOAD CSV %s: %v", k, err)
			}
			b.ReportMetric(time.Since(prev).Seconds(), "s/"+string(k))
			prev = time.Now()
			if cpu, ok := serverCPUSeconds(); ok && cpuOK {
				b.ReportMetric(cpu-prevCPU, "server-cpu-s/"+string(k))
				prevCPU = cpu
			}
		}
		if cpu, ok := serverCPUSeconds(); ok && cpuOK {
			b.ReportMetric(cpu-cpu0, "server-cpu-s")
		}
		el := time.Since(start)
		b.ReportMetric(float64(rows)/el.Seconds(), "rows/s")
		b.ReportMetric(float64(rows), "rows")
		b.ReportMetric(el.Seconds(), "s/load")
	}
}

// writeEnterprises writes an enterprises file of n rows keyed by id.
func writeEnterprises(b *testing.B, path string, n int) int64 {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("uscc,id,name,kind,status,capital,currency,established,region,industry,address,phone,email\n")
	for i := range n {
		fmt.Fprintf(w, ",E%09d,深圳市样本%d科技有限公司,company,active,%d,CNY,2016-03-01,440305,I65,广东省深圳市南山区科技路%d号,0755-8601%04d,\n",
			i, i, 10000+i%1000000, i%9999, i%10000)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	fi, _ := f.Stat()
	f.Close()
	return fi.Size()
}

// peakHeap runs fn while sampling the live heap every 2 ms and returns the
// peak in bytes.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	fn()
	close(stop)
	<-done
	return peak.Load()
}

// BenchmarkIngestPeakMemory streams an enterprises file and one 10× larger
// through (a) the reader alone and (b) the whole loader in dry-run mode,
// reporting the peak live heap of each and the loader's throughput. The
// reader is flat; the loader's key indexes hold at most
// keyindex.DefaultBudget keys each in memory and spill the rest to disk, so
// the base size (2 000 000 rows by default, RISKGRAPH_BENCH_MEMORY_ROWS)
// is chosen past that budget: both files run in the bounded regime.
func BenchmarkIngestPeakMemory(b *testing.B) {
	dir := b.TempDir()
	base := 2_000_000
	if n, err := strconv.Atoi(os.Getenv("RISKGRAPH_BENCH_MEMORY_ROWS")); err == nil && n > 0 {
		base = n
	}
	small, large := filepath.Join(dir, "small", "enterprises.csv"), filepath.Join(dir, "large", "enterprises.csv")
	os.MkdirAll(filepath.Dir(small), 0o700)
	os.MkdirAll(filepath.Dir(large), 0o700)
	ss := writeEnterprises(b, small, base)
	ls := writeEnterprises(b, large, 10*base)
	readOnly := func(path string) {
		ins, err := reader.Expand([]string{path})
		if err != nil {
			b.Fatal(err)
		}
		o, err := reader.OpenRows(ins[0], nil, reader.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer o.Close()
		for {
			if _, err := o.Next(); err != nil {
				return
			}
		}
	}
	rate := map[string]float64{}
	dry := func(path string) {
		ins, err := reader.Expand([]string{path})
		if err != nil {
			b.Fatal(err)
		}
		opts := ingestOptions(b, 1)
		opts.DryRun = true
		opts.TempDir = dir
		start := time.Now()
		sum, err := ingest.Load(context.Background(), ins, nil, opts)
		if err != nil || sum.Total.Rejected != 0 {
			b.Fatalf("%v %v", err, sum.Rejects)
		}
		rate[path] = float64(sum.Total.Accepted) / time.Since(start).Seconds()
	}
	for b.Loop() {
		rs, rl := peakHeap(func() { readOnly(small) }), peakHeap(func() { readOnly(large) })
		ds, dl := peakHeap(func() { dry(small) }), peakHeap(func() { dry(large) })
		b.ReportMetric(rate[small], "loader-small-rows/s")
		b.ReportMetric(rate[large], "loader-large-rows/s")
		b.ReportMetric(float64(dl)/float64(ds), "loader-growth")
		b.ReportMetric(float64(ss)/(1<<20), "small-MiB")
		b.ReportMetric(float64(ls)/(1<<20), "large-MiB")
		b.ReportMetric(float64(rs)/(1<<20), "reader-small-peak-MiB")
		b.ReportMetric(float64(rl)/(1<<20), "reader-large-peak-MiB")
		b.ReportMetric(float64(ds)/(1<<20), "loader-small-peak-MiB")
		b.ReportMetric(float64(dl)/(1<<20), "loader-large-peak-MiB")
	}
}
