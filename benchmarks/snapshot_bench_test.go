package benchmarks

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime/pprof"
	"syscall"
	"testing"
	"time"

	"riskgraph/engine"
	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/memory"
	"riskgraph/synth"
)

// BenchmarkSnapshotMemory measures the projection snapshot on the memory
// store (sizes of RISKGRAPH_ENGINE_SIZES): see benchSnapshot.
func BenchmarkSnapshotMemory(b *testing.B) {
	eachLoadedSize(b, func(b *testing.B, st *memory.Store) { benchSnapshot(b, st, st) })
}

// BenchmarkSnapshotNeo4j is BenchmarkSnapshotMemory on Neo4j (the sample
// of BenchmarkProjectNeo4j).
func BenchmarkSnapshotNeo4j(b *testing.B) {
	st := loadedNeo4j(b, neo4jProjectSize())
	benchSnapshot(b, st, st)
}

// profileCPU starts a CPU profile written to path (none when path is
// empty) and returns what stops it.
func profileCPU(b *testing.B, path string) (stop func()) {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// benchSnapshot: a first Score with --engine-snapshot (full scan, the
// snapshot saved), Load of the file alone, then a daily run — about 1 %
// of the enterprises changed (a new record on each, a status change on
// every tenth) and 0.1 % new enterprises, each held by an existing one —
// scored incrementally from the snapshot plus the changes, end to end
// (lineage, load, changes, projection, compute, write-back, save), and
// for reference the same day scored by a full run without the snapshot.
// RISKGRAPH_SNAPSHOT_CPUPROFILE=FILE writes a CPU profile of the daily
// run alone; daily-run-cpu-s is the process's CPU time during it (a
// figure a loaded machine distorts less than the wall time). RISKGRAPH_SNAPSHOT_FULL=1 scores the day from the snapshot by a full
// propagation (no --incremental; it too writes back only what moved).
func benchSnapshot(b *testing.B, st engine.ScoreStore, w store.Writer) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "projection.snap")
	opts := engine.Options{Params: engine.DefaultParams(), Today: synth.DefaultReferenceDate(), Snapshot: path}
	run := 0
	score := func(o engine.Options) (*engine.Result, float64) {
		run++
		t := time.Now()
		res, _, err := engine.Score(ctx, st, o, fmt.Sprintf("bench-%d", run), time.Now)
		if err != nil {
			b.Fatal(err)
		}
		return res, time.Since(t).Seconds()
	}
	b.ResetTimer()
	for b.Loop() {
		first, sec := score(opts)
		b.ReportMetric(sec, "first-run-s")
		b.ReportMetric(float64(first.Snapshot.SaveMS)/1000, "save-s")
		b.ReportMetric(first.Timings["propagate"].Seconds(), "first-propagate-s")
		if fi, err := os.Stat(path); err == nil {
			b.ReportMetric(float64(fi.Size())/(1<<20), "snapshot-MiB")
		}
		t := time.Now()
		const loads = 3
		for range loads {
			if _, err := engine.LoadSnapshotGraph(path); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(time.Since(t).Seconds()/loads, "load-s")

		g := first.Graph
		day := &store.Batch{}
		n := 0
		for v := range int32(g.NumEnterprises) {
			if g.Kinds[v] != engine.NodeEnterprise || v%100 != 0 {
				continue
			}
			ref := g.Ref(v)
			day.Records = append(day.Records, models.Record{ID: "bench-day-" + ref.Key, Subject: ref, Kind: models.RecordPenalty,
				Severity: 0.5, Decided: models.NewDate(2025, 6, 1)})
			if n%10 == 0 {
				day.Enterprises = append(day.Enterprises, models.Enterprise{Key: ref.Key, Name: "变更", Status: models.StatusRevoked})
				key := fmt.Sprintf("src:bench:new-%d-%d", run, n)
				day.Enterprises = append(day.Enterprises, models.Enterprise{Key: key, Name: "新设", Status: models.StatusActive})
				day.Shareholdings = append(day.Shareholdings, models.Shareholding{Holder: ref, Enterprise: key, Ratio: 0.7})
			}
			n++
		}
		if err := w.WriteBatch(ctx, day); err != nil {
			b.Fatal(err)
		}
		daily := opts
		daily.Incremental = os.Getenv("RISKGRAPH_SNAPSHOT_FULL") == ""
		// A day passes between two runs: the first run's snapshot, written
		// without fsync (durable.ReplaceChecked), is on the disk before the
		// next run starts. Without this the daily run's save would wait
		// behind the kernel's write-back of the whole graph file.
		syscall.Sync()
		stop := profileCPU(b, os.Getenv("RISKGRAPH_SNAPSHOT_CPUPROFILE"))
		cpu0, gc0 := cpuSeconds(), gcCPUSeconds()
		res, sec := score(daily)
		b.ReportMetric(cpuSeconds()-cpu0, "daily-run-cpu-s")
		b.ReportMetric(gcCPUSeconds()-gc0, "daily-gc-cpu-s")
		stop()
		if !res.Snapshot.Used {
			b.Fatalf("the daily run did not use the snapshot: %+v", res.Snapshot)
		}
		b.ReportMetric(sec, "daily-run-s")
		b.ReportMetric(float64(res.Snapshot.Changes), "daily-changed-rows")
		b.ReportMetric(float64(res.Snapshot.LoadMS)/1000, "daily-load-s")
		b.ReportMetric(float64(res.Snapshot.ChangesMS)/1000, "daily-changes-s")
		b.ReportMetric(float64(res.Snapshot.PatchMS)/1000, "daily-patch-s")
		b.ReportMetric(res.Timings["project"].Seconds(), "daily-project-s")
		b.ReportMetric(res.Timings["compute"].Seconds(), "daily-compute-s")
		b.ReportMetric(res.Timings["snapshot"].Seconds(), "daily-open-s")
		b.ReportMetric(res.Timings["propagate"].Seconds(), "daily-propagate-s")
		for _, step := range []string{"intrinsic", "operator", "grades", "ownership", "flags", "groups"} {
			b.ReportMetric(res.Timings[step].Seconds(), "daily-"+step+"-s")
		}
		// Enterprises whose ownership vectors the day recomputed (all when
		// not incremental).
		vectors := res.OwnershipRun.Vectors
		if !res.OwnershipRun.Incremental {
			vectors = res.OwnershipRun.Enterprises
		}
		b.ReportMetric(float64(vectors), "daily-ownership-vectors")
		b.ReportMetric(res.Timings["writeback"].Seconds(), "daily-writeback-s")
		b.ReportMetric(res.Timings["promote"].Seconds(), "daily-promote-s")
		b.ReportMetric(float64(res.Snapshot.SaveMS)/1000, "daily-save-s")
		b.ReportMetric(float64(res.Summarize().Written), "daily-written")
		// Of the written results, those whose details are rendered
		// (grade C or D, or a flag: most of the write-back's time).
		detailed := 0
		for v := range int32(res.Graph.N()) {
			if res.Graph.IsEntity(v) && res.Changed(v) && (res.Score[v] >= res.Params.Grades.C || len(res.Flags.KindsOf(v)) > 0) {
				detailed++
			}
		}
		b.ReportMetric(float64(detailed), "daily-written-detailed")
		b.ReportMetric(float64(res.Pushes), "daily-pushes")
		b.ReportMetric(float64(res.Iterations), "daily-sweeps")
		// How many entities a coarser write-back threshold would write
		// (a score moved by more than 1e-6 or 1e-4, or the grade changed).
		if pv := res.Graph.Previous; pv != nil {
			var over6, over4, over5, bucket7 int
			for v := range int32(res.Graph.N()) {
				if !res.Graph.IsEntity(v) {
					continue
				}
				d := math.Abs(res.Score[v] - pv.Score[v])
				regraded := math.IsNaN(d) || res.Params.Grades.GradeOf(pv.Score[v]) != res.Grade[v]
				if regraded || d > 1e-6 {
					over6++
				}
				if regraded || d > 1e-4 {
					over4++
				}
				if regraded || d > 1e-5 {
					over5++
				}
				if regraded || math.Round(res.Score[v]/1e-7) != math.Round(pv.Score[v]/1e-7) {
					bucket7++
				}
			}
			b.ReportMetric(float64(over6), "daily-moved-1e-6")
			b.ReportMetric(float64(over4), "daily-moved-1e-4")
			b.ReportMetric(float64(over5), "daily-moved-1e-5")
			b.ReportMetric(float64(bucket7), "daily-moved-q1e-7")
		}
		full := opts
		full.Snapshot, full.Incremental = "", true
		_, sec = score(full)
		b.ReportMetric(sec, "daily-without-snapshot-s")
	}
}
