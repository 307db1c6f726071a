package memory

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"riskgraph/models"
	"riskgraph/store"
)

// BenchmarkStageAndPromote: a run's write-back into the memory store —
// results for 30 % of 200 000 enterprises staged in batches of 5 000 (the
// engine's default) and of ResultBatchSize (what it uses here), one
// in twenty with details, then promoted — without a data dir ("memory")
// and with one (the journal's encoding and fsyncs too: "journal"); and
// for 1 % of them ("small-": a small day, where the per-run costs show).
func BenchmarkStageAndPromote(b *testing.B) {
	const n = 200_000
	ctx := context.Background()
	details := []byte(`{"intrinsic":0.1,"contributions":[{"record":"r-1","kind":"administrative_penalty","subject":"enterprise:k1","path":["enterprise:k1","person:p1","enterprise:k2"],"amount":0.05}],"remainder":0.01}`)
	for _, c := range []struct {
		journal bool
		batch   int
		per100  int // results staged per 100 enterprises
	}{{false, 5_000, 30}, {false, ResultBatchSize, 30}, {true, 5_000, 30}, {true, ResultBatchSize, 30}, {false, 5_000, 1}, {false, ResultBatchSize, 1}} {
		journal, batch, per100 := c.journal, c.batch, c.per100
		name := fmt.Sprintf("memory-%d", batch)
		if journal {
			name = fmt.Sprintf("journal-%d", batch)
		}
		if per100 != 30 {
			name = fmt.Sprintf("small-%s", name)
		}
		b.Run(name, func(b *testing.B) {
			opts := Options{Logger: zerolog.Nop()}
			if journal {
				opts.DataDir = b.TempDir()
			}
			s, err := Open(opts)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			keys := make([]string, n)
			var bt store.Batch
			for i := range keys {
				keys[i] = fmt.Sprintf("src:bench:%07d", i)
				bt.Enterprises = append(bt.Enterprises, models.Enterprise{Key: keys[i], Name: "企业", Status: models.StatusActive})
			}
			if err := s.WriteBatch(ctx, &bt); err != nil {
				b.Fatal(err)
			}
			run := 0
			var promote time.Duration
			out := make([]models.RiskResult, 0, batch)
			for b.Loop() {
				run++
				id := fmt.Sprintf("run-%d", run)
				for lo := 0; lo < n; lo += batch {
					out = out[:0]
					for i := lo; i < lo+batch; i++ {
						if (i+run)%100 >= per100 {
							continue
						}
						r := models.RiskResult{Ref: models.EnterpriseRef(keys[i]), Risk: models.Risk{Score: float64(i%1000) / 1000, Grade: "A", Run: id}}
						if i%20 == 0 {
							r.Grade, r.Flags, r.Details = "C", []string{"shared_address"}, details
						}
						out = append(out, r)
					}
					if err := s.WriteResults(ctx, out); err != nil {
						b.Fatal(err)
					}
				}
				t := time.Now()
				if err := s.PromoteRun(ctx, id); err != nil {
					b.Fatal(err)
				}
				promote += time.Since(t)
			}
			b.ReportMetric(float64(promote.Microseconds())/1000/float64(run), "promote-ms")
		})
	}
}
