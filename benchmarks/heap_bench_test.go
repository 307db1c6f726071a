package benchmarks

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"testing"
	"time"

	"riskgraph/engine"
)

// BenchmarkHeapProfiles: for each of RISKGRAPH_ENGINE_SIZES, the heap the
// memory store keeps after loading the generator's sample
// (store-heap-MiB) and what engine.Project adds to it (graph-heap-MiB),
// both after a full GC. With RISKGRAPH_HEAP_PROFILE_DIR set it writes the
// two heap profiles there (store-N.pprof, graph-N.pprof; sampled every
// 4 KiB), to be read with
// `go tool pprof -sample_index=inuse_space -top [-diff_base OLD] BINARY FILE`
// (docs/scaling.md, "Where the memory store's heap goes").
func BenchmarkHeapProfiles(b *testing.B) {
	dir := os.Getenv("RISKGRAPH_HEAP_PROFILE_DIR")
	if dir != "" {
		defer func(rate int) { runtime.MemProfileRate = rate }(runtime.MemProfileRate)
		runtime.MemProfileRate = 4096
	}
	for _, n := range engineSizes() {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				st := loadedStore(b, n)
				store := heapAfterGC()
				writeHeapProfile(b, dir, "store", n)
				g, err := engine.Project(context.Background(), st)
				if err != nil {
					b.Fatal(err)
				}
				graph := heapAfterGC()
				writeHeapProfile(b, dir, "graph", n)
				b.ReportMetric(float64(store)/(1<<20), "store-heap-MiB")
				b.ReportMetric(float64(graph-min(graph, store))/(1<<20), "graph-heap-MiB")
				runtime.KeepAlive(g)
				_ = st.Close()
			}
		})
	}
}

// heapAfterGC is the live heap after a full collection.
func heapAfterGC() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// writeHeapProfile writes the heap profile to dir/what-n.pprof; nothing
// when dir is empty.
func writeHeapProfile(b *testing.B, dir, what string, n int) {
	if dir == "" {
		return
	}
	f, err := os.Create(filepath.Join(dir, what+"-"+strconv.Itoa(n)+".pprof"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := pprof.WriteHeapProfile(f); err != nil {
		b.Fatal(err)
	}
}

// peakHeapProfile, with RISKGRAPH_HEAP_PEAK_PROFILE set to a file, watches
// the live heap (as of the last collection, /gc/heap/live:bytes) every
// 50 ms while a benchmark runs and writes the heap profile (sampled every
// 64 KiB) to that file each time the live heap passes its maximum by
// 16 MiB: the file left holds what was live at the peak, to be read with
// `go tool pprof -sample_index=inuse_space -top BINARY FILE`. It returns
// the function that stops it and reports the peak live heap
// (peak-live-heap-MiB); without the variable both do nothing.
func peakHeapProfile(b *testing.B) (stop func()) {
	path := os.Getenv("RISKGRAPH_HEAP_PEAK_PROFILE")
	if path == "" {
		return func() {}
	}
	rate := runtime.MemProfileRate
	runtime.MemProfileRate = 64 << 10
	done, finished := make(chan struct{}), make(chan uint64)
	go func() {
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		var peak, written uint64
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				finished <- peak
				return
			case <-tick.C:
			}
			metrics.Read(sample)
			live := sample[0].Value.Uint64()
			peak = max(peak, live)
			if live > written+16<<20 {
				written = live
				if f, err := os.Create(path); err == nil {
					_ = pprof.Lookup("heap").WriteTo(f, 0)
					_ = f.Close()
				}
			}
		}
	}()
	return func() {
		close(done)
		b.ReportMetric(float64(<-finished)/(1<<20), "peak-live-heap-MiB")
		runtime.MemProfileRate = rate
	}
}
