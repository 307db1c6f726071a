package benchmarks

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"riskgraph/engine"
	"riskgraph/models"
	"riskgraph/report"
	"riskgraph/store"
	"riskgraph/synth"
)

// reportSizes are the generator sizes of the report benchmark; set
// RISKGRAPH_REPORT_SIZES=1000000 for the recorded figure.
func reportSizes() []int { return sizesFromEnv("RISKGRAPH_REPORT_SIZES") }

// BenchmarkReport: a scored generator graph gets new penalty records on 1 %
// of its enterprises and is scored again (setup, not timed); one iteration
// then reads the previous run's snapshot from the store, computes the
// report and renders JSON, every CSV section and HTML, and stores it —
// what a scheduled job does after scoring.
//
// The setup holds one engine result at a time (run-1's result and snapshot
// are dropped once the snapshot is stored) and runs with the collector's
// goal at 1.25 times the live heap (GOGC=25), collecting and returning
// memory to the OS between phases: at 1 000 000 enterprises the store
// alone is about 4.5 GiB, and the default goal (twice the live heap) let
// the setup grow past the machine's memory. The live heap after each phase
// is logged. The timed part runs with the default GOGC, from a fresh RSS
// high-water mark: peak-RSS-MiB is the report's own peak (store, run-2's
// result and snapshot, and the report), setup-peak-RSS-MiB the setup's.
func BenchmarkReport(b *testing.B) {
	for _, n := range reportSizes() {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			ctx := context.Background()
			start := time.Now()
			gcPercent := debug.SetGCPercent(25)
			defer debug.SetGCPercent(gcPercent)
			phase := func(name string) {
				debug.FreeOSMemory() // collects, then returns the free pages
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				b.Logf("%-28s live heap %6.0f MiB, peak RSS so far %6.0f MiB, %4.0f s since start", name+":",
					float64(m.HeapAlloc)/(1<<20), peakRSSMiB(), time.Since(start).Seconds())
			}
			st := loadedStore(b, n)
			phase("store loaded")
			opts := engine.Options{Params: engine.DefaultParams(), Today: synth.DefaultReferenceDate()}
			score := func(id string) (*report.Snapshot, *engine.Result, store.Run) {
				c := report.NewCapture(st, id)
				res, run, err := engine.Score(ctx, c, opts, id, time.Now)
				if err != nil {
					b.Fatal(err)
				}
				return c.Snapshot(res, nil), res, run
			}
			// run-1: only its stored snapshot and the keys of the enterprises
			// to change outlive this block.
			var keys []string
			var snapMiB float64
			{
				s1, res1, _ := score("run-1")
				enc, err := s1.Encode()
				if err != nil {
					b.Fatal(err)
				}
				if err := st.SaveSnapshot(ctx, "run-1", enc); err != nil {
					b.Fatal(err)
				}
				snapMiB = float64(len(enc)) / (1 << 20)
				for v := 0; v < res1.Graph.NumEnterprises; v += 100 {
					keys = append(keys, strings.Clone(res1.Graph.Keys.At(int32(v))))
				}
			}
			phase("run-1 scored, snapshot kept")
			// Change 1 % of the enterprises: a new record each, alternating kinds.
			batch := &store.Batch{}
			kinds := []models.RecordKind{models.RecordPenalty, models.RecordAbnormal, models.RecordSeriousViolation, models.RecordBlacklist}
			for i, k := range keys {
				batch.Records = append(batch.Records, models.Record{ID: fmt.Sprintf("bench-%d", i), Subject: models.EnterpriseRef(k),
					Kind: kinds[i%len(kinds)], Severity: 0.3 + 0.6*float64(i%7)/6, Decided: models.DateOf(opts.Today.AddDate(0, 0, -3))})
			}
			if err := st.WriteBatch(ctx, batch); err != nil {
				b.Fatal(err)
			}
			changed := len(batch.Records)
			batch, keys = nil, nil
			s2, res2, run2 := score("run-2")
			prevRun, _ := st.Run(ctx, "run-1")
			phase("run-2 scored")
			setupPeak := peakRSSMiB()
			debug.SetGCPercent(gcPercent)
			debug.FreeOSMemory()
			_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
			var doc *report.Document
			var bytesOut int
			// RISKGRAPH_REPORT_CPUPROFILE=file profiles the timed part only.
			if path := os.Getenv("RISKGRAPH_REPORT_CPUPROFILE"); path != "" {
				f, err := os.Create(path)
				if err != nil {
					b.Fatal(err)
				}
				defer f.Close()
				if err := pprof.StartCPUProfile(f); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for b.Loop() {
				raw, err := st.Snapshot(ctx, "run-1")
				if err != nil {
					b.Fatal(err)
				}
				prev, err := report.DecodeSnapshot(raw)
				if err != nil {
					b.Fatal(err)
				}
				doc, err = report.Build(ctx, report.Input{Current: s2, Previous: prev, CurrentRun: run2, PreviousRun: prevRun,
					Graph: res2.Graph, Today: res2.Today, Hops: 2, Names: report.StoreNames(st), Explain: report.ExplainFrom(res2)})
				if err != nil {
					b.Fatal(err)
				}
				body, err := report.RenderJSON(doc)
				if err != nil {
					b.Fatal(err)
				}
				bytesOut = len(body)
				for _, sec := range report.Sections {
					c, err := report.RenderCSV(doc, sec)
					if err != nil {
						b.Fatal(err)
					}
					bytesOut += len(c)
				}
				h, err := report.RenderHTML(doc)
				if err != nil {
					b.Fatal(err)
				}
				bytesOut += len(h)
				if err := st.SaveReport(ctx, store.Report{ID: "rpt-bench", Run: "run-2", Against: "run-1", Created: time.Now(), Body: body}); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			pprof.StopCPUProfile()
			b.ReportMetric(snapMiB, "snapshot-MiB")
			b.ReportMetric(float64(changed), "changed-enterprises")
			b.ReportMetric(float64(doc.Summary.EnteredCD), "entered-cd")
			b.ReportMetric(float64(len(doc.GradeChanges)), "grade-changes")
			b.ReportMetric(float64(doc.Summary.NewRecords), "new-serious")
			b.ReportMetric(float64(bytesOut)/(1<<20), "output-MiB")
			b.ReportMetric(peakRSSMiB(), "peak-RSS-MiB")
			b.ReportMetric(setupPeak, "setup-peak-RSS-MiB")
		})
	}
}
