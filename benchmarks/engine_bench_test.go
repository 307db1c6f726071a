package benchmarks

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"riskgraph/engine"
	"riskgraph/ingest"
	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/memory"
	"riskgraph/synth"
)

// sizesFromEnv parses a comma-separated list of generator sizes from the
// environment variable name (10 000 when unset).
func sizesFromEnv(name string) []int {
	v := os.Getenv(name)
	if v == "" {
		v = "10000"
	}
	var out []int
	for _, s := range strings.Split(v, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// engineSizes are the generator sizes of the engine benchmarks; set
// RISKGRAPH_ENGINE_SIZES=10000,100000,1000000 for the scaling table.
func engineSizes() []int { return sizesFromEnv("RISKGRAPH_ENGINE_SIZES") }

// engineMemoryLimit is engine.Options.MemoryLimit of the engine
// benchmarks: RISKGRAPH_ENGINE_MEMORY_LIMIT in MiB, as the command's
// --engine-memory-limit (unset or 0: none). It limits the whole process, so
// with the memory store it must leave room for the store's heap.
func engineMemoryLimit() int64 {
	n, _ := strconv.ParseInt(os.Getenv("RISKGRAPH_ENGINE_MEMORY_LIMIT"), 10, 64)
	return max(n, 0) << 20
}

// eachLoadedSize runs fn as one sub-benchmark per size of
// RISKGRAPH_ENGINE_SIZES, on the generator's sample of that size loaded
// into a memory store.
func eachLoadedSize(b *testing.B, fn func(b *testing.B, st *memory.Store)) {
	for _, n := range engineSizes() {
		b.Run(fmt.Sprint(n), func(b *testing.B) { fn(b, loadedStore(b, n)) })
	}
}

// loadedStore generates n enterprises (seed 1) and loads them into a
// memory store without a journal — with one, in a temporary data dir,
// when RISKGRAPH_BENCH_JOURNAL=1 (what `riskgraph` runs with: every
// write, the engine's results too, is journalled and fsynced).
func loadedStore(b *testing.B, n int) *memory.Store {
	b.Helper()
	dir := filepath.Join(b.TempDir(), "gen")
	if _, err := synth.Generate(synth.GenerateOptions{Enterprises: n, Seed: 1, Out: dir}); err != nil {
		b.Fatal(err)
	}
	var opts memory.Options
	if os.Getenv("RISKGRAPH_BENCH_JOURNAL") == "1" {
		opts.DataDir = filepath.Join(b.TempDir(), "data")
	}
	st, err := memory.Open(opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	h, _ := models.NewPIDHasher([]byte("benchmark-pid-key-0123456789"))
	ref := synth.DefaultReferenceDate().Time.Add(12 * time.Hour)
	if _, err := ingest.LoadDir(context.Background(), dir, st, ingest.LoadOptions{Hasher: h, Source: "bench", Now: func() time.Time { return ref }}); err != nil {
		b.Fatal(err)
	}
	return st
}

// cpuSeconds is the process's user + system CPU time so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// gcCPUSeconds is the CPU time the garbage collector has used so far
// (mark assists, dedicated and idle mark workers, pauses).
func gcCPUSeconds() float64 {
	s := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64 {
		return 0
	}
	return s[0].Value.Float64()
}

// procStatusMiB returns a field of /proc/self/status in MiB ("VmHWM",
// the peak resident set since the last reset, or "VmRSS", the current one).
func procStatusMiB(field string) float64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == field+":" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

func peakRSSMiB() float64 { return procStatusMiB("VmHWM") }

// BenchmarkEngineFull: projection from the memory store, intrinsic risk,
// propagation to 1e-9, grades, ownership, flags and control groups.
func BenchmarkEngineFull(b *testing.B) {
	eachLoadedSize(b, func(b *testing.B, st *memory.Store) {
		opts := engine.Options{Params: engine.DefaultParams(), Today: synth.DefaultReferenceDate(), MemoryLimit: engineMemoryLimit()}
		var res *engine.Result
		// Collect the setup's garbage (generator, loader) so that the
		// run starts from the store's live heap alone, then measure
		// what the engine allocates and what it keeps.
		runtime.GC()
		// Peak RSS of the setup, then reset the high-water mark (Linux
		// clear_refs 5) with the freed memory returned to the OS, so
		// that the run's peak is the store's live data plus the engine.
		setupPeak := peakRSSMiB()
		debug.FreeOSMemory()
		_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
		rss0 := procStatusMiB("VmRSS")
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		cpu0, gc0 := cpuSeconds(), gcCPUSeconds()
		b.ResetTimer()
		for b.Loop() {
			var err error
			if res, err = engine.Run(context.Background(), st, opts); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N), "cpu-s")
		b.ReportMetric((gcCPUSeconds()-gc0)/float64(b.N), "gc-cpu-s")
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(before.HeapAlloc)/(1<<20), "store-heap-MiB")
		b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/(1<<20)/float64(b.N), "engine-alloc-MiB")
		b.ReportMetric(float64(after.NumGC-before.NumGC)/float64(b.N), "gc-cycles")
		runtime.GC()
		var kept runtime.MemStats
		runtime.ReadMemStats(&kept)
		b.ReportMetric(float64(kept.HeapAlloc-min(kept.HeapAlloc, before.HeapAlloc))/(1<<20), "engine-result-MiB")
		runtime.KeepAlive(res)
		runtime.KeepAlive(st)
		for k, d := range res.Timings {
			b.ReportMetric(d.Seconds(), k+"-s")
		}
		b.ReportMetric(float64(res.Graph.N()), "nodes")
		b.ReportMetric(float64(len(res.Graph.Edges)), "edges")
		b.ReportMetric(float64(res.Iterations), "iterations")
		b.ReportMetric(setupPeak, "setup-peak-RSS-MiB")
		// The process's peak includes the memory store; the engine's share
		// is the peak above the resident set at the start of the run.
		b.ReportMetric(peakRSSMiB(), "run-peak-RSS-MiB")
		b.ReportMetric(peakRSSMiB()-rss0, "engine-peak-RSS-MiB")
		// Propagation alone (after the peak RSS is read): in the run it overlaps ownership, flags
		// and groups (engine.Compute runs the two chains at once).
		t0 := time.Now()
		pp := &opts.Params.Propagation
		if _, err := engine.Propagate(res.Operator, res.Intrinsic.Risk, pp, opts.Params.Workers); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(t0).Seconds(), "propagate-alone-s")
	})
}

// BenchmarkProjectNeo4j: projection from a real Neo4j (NEO4J_URI) of the
// generator's sample (RISKGRAPH_NEO4J_PROJECT_ENTERPRISES, default 100 000),
// loaded with ingest.LoadDir into an emptied database (setup, not timed).
// Reports relationships projected per second, the client's CPU seconds per
// projection and, with NEO4J_PID set to the server's process id, the
// server's.
func BenchmarkProjectNeo4j(b *testing.B) {
	st := loadedNeo4j(b, neo4jProjectSize())
	var g *engine.Graph
	b.ResetTimer()
	cpu0 := cpuSeconds()
	srv0, srvOK := serverCPUSeconds()
	start := time.Now()
	for b.Loop() {
		var err error
		if g, err = engine.Project(context.Background(), st); err != nil {
			b.Fatal(err)
		}
	}
	sec := time.Since(start).Seconds() / float64(b.N)
	b.StopTimer()
	b.ReportMetric(sec, "project-s")
	b.ReportMetric(float64(len(g.Edges))/sec, "relationships/s")
	b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N), "client-cpu-s")
	if srv1, ok := serverCPUSeconds(); ok && srvOK {
		b.ReportMetric((srv1-srv0)/float64(b.N), "server-cpu-s")
	}
	b.ReportMetric(float64(g.N()), "nodes")
	b.ReportMetric(float64(len(g.Edges)), "edges")
}

// BenchmarkEngineNeo4j: a full engine run (projection from Neo4j and every
// step of BenchmarkEngineFull) on the sample of BenchmarkProjectNeo4j. The
// process holds no store, only the driver, so its peak RSS is the
// engine's: reported as run-peak-RSS-MiB (VmHWM, reset after the set-up's
// garbage is returned to the OS) beside the resident set at the start.
// After the run it times two projection scans around a scoring run that
// writes the results back, unless RISKGRAPH_NEO4J_RUN_ONLY=1 (the run's
// figures alone, the database left as it is). With
// RISKGRAPH_HEAP_PEAK_PROFILE=FILE it writes the heap profile at the
// run's peak live heap there (peakHeapProfile).
func BenchmarkEngineNeo4j(b *testing.B) {
	st := loadedNeo4j(b, neo4jProjectSize())
	opts := engine.Options{Params: engine.DefaultParams(), Today: synth.DefaultReferenceDate(), MemoryLimit: engineMemoryLimit()}
	runtime.GC()
	debug.FreeOSMemory()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	rss0 := procStatusMiB("VmRSS")
	var res *engine.Result
	cpu0, gc0 := cpuSeconds(), gcCPUSeconds()
	stopProfile := peakHeapProfile(b)
	b.ResetTimer()
	for b.Loop() {
		var err error
		if res, err = engine.Run(context.Background(), st, opts); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	stopProfile()
	b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N), "cpu-s")
	b.ReportMetric((gcCPUSeconds()-gc0)/float64(b.N), "gc-cpu-s")
	b.ReportMetric(rss0, "start-RSS-MiB")
	b.ReportMetric(peakRSSMiB(), "run-peak-RSS-MiB")
	b.ReportMetric(float64(res.Graph.N()), "nodes")
	b.ReportMetric(float64(len(res.Graph.Edges)), "edges")
	for k, d := range res.Timings {
		b.ReportMetric(d.Seconds(), k+"-s")
	}
	if os.Getenv("RISKGRAPH_NEO4J_RUN_ONLY") == "1" {
		return // the run alone: no scans, no results written
	}
	// The projection scan before and after the entities carry results:
	// the enterprise statement reads properties(e), which then holds the
	// engine's details too.
	scan := func() float64 {
		t := time.Now()
		if err := st.ScanProjection(context.Background(), engine.ProjectPageSize, func(*store.ProjectionPage) error { return nil }); err != nil {
			b.Fatal(err)
		}
		return time.Since(t).Seconds()
	}
	b.ReportMetric(scan(), "scan-without-results-s")
	if _, _, err := engine.Score(context.Background(), st, opts, "bench-results", time.Now); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(scan(), "scan-with-results-s")
}
