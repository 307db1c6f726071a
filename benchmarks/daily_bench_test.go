package benchmarks

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"riskgraph/engine"
	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/memory"
	"riskgraph/synth"
)

// BenchmarkDailyMemory measures daily runs after the first one, when the
// stored scores lag the computed ones by up to the write tolerance (the
// first daily run of BenchmarkSnapshotMemory starts from results a full
// run wrote in full): a first Score with --engine-snapshot, a 1 % day
// scored incrementally from the snapshot (not measured), then, measured,
// a second 1 % day (other enterprises: "day2-*") and a small day of
// 0.01 % ("small-*"), each incremental from the snapshot, end to end.
func BenchmarkDailyMemory(b *testing.B) {
	eachLoadedSize(b, func(b *testing.B, st *memory.Store) { benchDaily(b, st, st) })
}

func benchDaily(b *testing.B, st engine.ScoreStore, w store.Writer) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "projection.snap")
	opts := engine.Options{Params: engine.DefaultParams(), Today: synth.DefaultReferenceDate(), Snapshot: path}
	run := 0
	score := func(o engine.Options) (*engine.Result, float64, float64) {
		run++
		cpu0 := cpuSeconds()
		t := time.Now()
		res, _, err := engine.Score(ctx, st, o, fmt.Sprintf("daily-%d", run), time.Now)
		if err != nil {
			b.Fatal(err)
		}
		return res, time.Since(t).Seconds(), cpuSeconds() - cpu0
	}
	inc := opts
	inc.Incremental = true
	day := func(prev *engine.Result, every, offset int) {
		if err := w.WriteBatch(ctx, dayBatch(prev.Graph, run, every, offset)); err != nil {
			b.Fatal(err)
		}
	}
	report := func(res *engine.Result, sec, cpu float64, prefix string) {
		if !res.Snapshot.Used {
			b.Fatalf("%s: the run did not use the snapshot: %+v", prefix, res.Snapshot)
		}
		b.ReportMetric(sec, prefix+"run-s")
		b.ReportMetric(cpu, prefix+"run-cpu-s")
		b.ReportMetric(res.Timings["compute"].Seconds(), prefix+"compute-s")
		b.ReportMetric(res.Timings["propagate"].Seconds(), prefix+"propagate-s")
		b.ReportMetric(res.Timings["writeback"].Seconds(), prefix+"writeback-s")
		b.ReportMetric(float64(res.Summarize().Written), prefix+"written")
		b.ReportMetric(float64(res.Pushes), prefix+"pushes")
		b.ReportMetric(float64(res.Iterations), prefix+"sweeps")
		// Read from the summary's JSON, so that the benchmark also builds
		// on a tree without the field.
		var sum struct {
			ExactStart int `json:"exact_start"`
		}
		raw, _ := json.Marshal(res.Summarize())
		_ = json.Unmarshal(raw, &sum)
		b.ReportMetric(float64(sum.ExactStart), prefix+"exact-start")
	}
	b.ResetTimer()
	for b.Loop() {
		first, _, _ := score(opts)
		day(first, 100, 0)
		day1, _, _ := score(inc)
		day(day1, 100, 50)
		res, sec, cpu := score(inc)
		report(res, sec, cpu, "day2-")
		day(res, 10_000, 25)
		res, sec, cpu = score(inc)
		report(res, sec, cpu, "small-")
	}
}

// dayBatch is a day's changes as BenchmarkSnapshotMemory writes them: a
// record on every every-th enterprise (from offset), and on every tenth
// of those a status change and a new enterprise it holds.
func dayBatch(g *engine.Graph, run, every, offset int) *store.Batch {
	day := &store.Batch{}
	n := 0
	for v := range int32(g.NumEnterprises) {
		if g.Kinds[v] != engine.NodeEnterprise || int(v)%every != offset {
			continue
		}
		ref := g.Ref(v)
		day.Records = append(day.Records, models.Record{ID: fmt.Sprintf("daily-%d-%s", run, ref.Key), Subject: ref, Kind: models.RecordPenalty,
			Severity: 0.5, Decided: models.NewDate(2025, 6, 1)})
		if n%10 == 0 {
			day.Enterprises = append(day.Enterprises, models.Enterprise{Key: ref.Key, Name: "变更", Status: models.StatusRevoked})
			key := fmt.Sprintf("src:daily:new-%d-%d", run, n)
			day.Enterprises = append(day.Enterprises, models.Enterprise{Key: key, Name: "新设", Status: models.StatusActive})
			day.Shareholdings = append(day.Shareholdings, models.Shareholding{Holder: ref, Enterprise: key, Ratio: 0.7})
		}
		n++
	}
	return day
}
