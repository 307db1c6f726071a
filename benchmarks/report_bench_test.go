package benchmarks

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"riskgraph/engine"
	"riskgraph/ingest"
	"riskgraph/models"
	"riskgraph/report"
	"riskgraph/store"
)

// reportSizes are the generator sizes of the report benchmark; set
// RISKGRAPH_REPORT_SIZES=1000000 for the recorded figure.
func reportSizes() []int {
	v := os.Getenv("RISKGRAPH_REPORT_SIZES")
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

// BenchmarkReport: a scored generator graph gets new penalty records on 1 %
// of its enterprises and is scored again (setup, not timed); one iteration
// then reads the previous run's snapshot from the store, computes the
// report and renders JSON, every CSV section and HTML, and stores it —
// what a scheduled job does after scoring.
func BenchmarkReport(b *testing.B) {
	for _, n := range reportSizes() {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			ctx := context.Background()
			st := loadedStore(b, n)
			opts := engine.Options{Params: engine.DefaultParams(), Today: ingest.DefaultReferenceDate()}
			score := func(id string) (*report.Snapshot, *engine.Result, store.Run) {
				c := report.NewCapture(st, id)
				res, run, err := engine.Score(ctx, c, opts, id, time.Now)
				if err != nil {
					b.Fatal(err)
				}
				return c.Snapshot(res), res, run
			}
			s1, res1, _ := score("run-1")
			enc, err := s1.Encode()
			if err != nil {
				b.Fatal(err)
			}
			if err := st.SaveSnapshot(ctx, "run-1", enc); err != nil {
				b.Fatal(err)
			}
			snapMiB := float64(len(enc)) / (1 << 20)
			// Change 1 % of the enterprises: a new record each, alternating kinds.
			g := res1.Graph
			batch := &store.Batch{}
			kinds := []models.RecordKind{models.RecordPenalty, models.RecordAbnormal, models.RecordSeriousViolation, models.RecordBlacklist}
			for v, i := 0, 0; v < g.NumEnterprises; v += 100 {
				batch.Records = append(batch.Records, models.Record{ID: fmt.Sprintf("bench-%d", i), Subject: models.EnterpriseRef(g.Keys[v]),
					Kind: kinds[i%len(kinds)], Severity: 0.3 + 0.6*float64(i%7)/6, Decided: models.DateOf(opts.Today.AddDate(0, 0, -3))})
				i++
			}
			if err := st.WriteBatch(ctx, batch); err != nil {
				b.Fatal(err)
			}
			// Only one engine result fits in memory at the 1M size.
			g, res1, s1 = nil, nil, nil
			runtime.GC()
			s2, res2, run2 := score("run-2")
			prevRun, _ := st.Run(ctx, "run-1")
			var doc *report.Document
			var bytesOut int
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
			b.ReportMetric(snapMiB, "snapshot-MiB")
			b.ReportMetric(float64(len(batch.Records)), "changed-enterprises")
			b.ReportMetric(float64(doc.Summary.EnteredCD), "entered-cd")
			b.ReportMetric(float64(len(doc.GradeChanges)), "grade-changes")
			b.ReportMetric(float64(doc.Summary.NewRecords), "new-serious")
			b.ReportMetric(float64(bytesOut)/(1<<20), "output-MiB")
			b.ReportMetric(peakRSSMiB(), "peak-RSS-MiB")
		})
	}
}
