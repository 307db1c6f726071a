package benchmarks

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"riskgraph/credit"
	"riskgraph/engine"
	"riskgraph/ingest"
	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/memory"
	"riskgraph/synth"
)

// checkSize is the number of enterprises of the credit-check sample;
// override with RISKGRAPH_CHECK_ENTERPRISES (default 100 000).
func checkSize() int {
	if n, err := strconv.Atoi(os.Getenv("RISKGRAPH_CHECK_ENTERPRISES")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

var checkSample struct {
	once sync.Once
	s    *memory.Store
	keys []string
	err  error
}

// checkStore loads the credit-check sample (seed 1) into a memory store
// without a journal, once per process, and lists its enterprises' keys.
func checkStore(b *testing.B) (*memory.Store, []string) {
	cs := &checkSample
	cs.once.Do(func() {
		dir, err := os.MkdirTemp("", "riskgraph-check-bench")
		if err != nil {
			cs.err = err
			return
		}
		if _, cs.err = synth.Generate(synth.GenerateOptions{Enterprises: checkSize(), Seed: 1, Out: dir}); cs.err != nil {
			return
		}
		if cs.s, cs.err = memory.Open(memory.Options{Logger: zerolog.Nop()}); cs.err != nil {
			return
		}
		h, _ := models.NewPIDHasher([]byte("benchmark-key-0123456789"))
		if _, cs.err = ingest.LoadDir(context.Background(), dir, cs.s, ingest.LoadOptions{Hasher: h, Source: "bench", Logger: zerolog.Nop()}); cs.err != nil {
			return
		}
		if cs.keys, cs.err = sampleKeys(dir); cs.err != nil {
			return
		}
		_ = os.RemoveAll(dir)
	})
	if cs.err != nil {
		b.Fatal(cs.err)
	}
	return cs.s, cs.keys
}

// sampleKeys lists the keys (USCCs) of the generated enterprises in dir.
func sampleKeys(dir string) ([]string, error) {
	f, err := os.Open(filepath.Join(dir, "enterprises.csv"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, r := range rows[1:] {
		if r[0] != "" {
			keys = append(keys, r[0])
		}
	}
	return keys, nil
}

// BenchmarkCreditCheck: one bidding check (every related-party rule: legal
// representative, officers, controlling shareholder, actual controller,
// parent) of enterprises in turn, on the memory store; reports p50 and
// p99 latency and the share of checks that found a measure.
func BenchmarkCreditCheck(b *testing.B) {
	s, keys := checkStore(b)
	benchChecks(b, s, keys)
}

// BenchmarkCreditCheckNeo4j: BenchmarkCreditCheck on a real Neo4j
// (NEO4J_URI) holding the sample (RISKGRAPH_CHECK_ENTERPRISES; neo4jSample:
// loaded online first, or kept with RISKGRAPH_NEO4J_REUSE=1).
func BenchmarkCreditCheckNeo4j(b *testing.B) {
	st, dir := neo4jSample(b, checkSize())
	keys, err := sampleKeys(dir)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	benchChecks(b, st, keys)
}

// benchChecks runs bidding checks of keys in turn against r and reports
// p50 and p99 latency and the share of checks that found a measure.
func benchChecks(b *testing.B, r store.Reader, keys []string) {
	ck := &credit.Checker{Reader: r, Catalogue: credit.Default()}
	asOf := synth.DefaultReferenceDate()
	ctx := context.Background()
	var lat []time.Duration
	hits, i := 0, 0
	for b.Loop() {
		start := time.Now()
		res, err := ck.Check(ctx, credit.Request{Subject: models.EnterpriseRef(keys[i%len(keys)]), Scenario: "bidding", AsOf: asOf})
		lat = append(lat, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Measures) > 0 {
			hits++
		}
		i++
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(hits)/float64(len(lat)), "with-measures")
	b.ReportMetric(float64(len(keys)), "enterprises")
}

// BenchmarkCreditCheckBatch: a batch of 10 000 bidders checked, sealed
// and stored (the work of POST /credit-checks:batch without HTTP).
func BenchmarkCreditCheckBatch(b *testing.B) {
	s, keys := checkStore(b)
	ck := &credit.Checker{Reader: s, Catalogue: credit.Default()}
	asOf := synth.DefaultReferenceDate()
	reqs := make([]credit.Request, 10_000)
	for i := range reqs {
		reqs[i] = credit.Request{Subject: models.EnterpriseRef(keys[(i*7)%len(keys)]), Scenario: "bidding", AsOf: asOf}
	}
	ctx := context.Background()
	for b.Loop() {
		out := ck.CheckAll(ctx, reqs, runtime.GOMAXPROCS(0))
		var stored []store.CreditCheck
		for _, o := range out {
			if o.Err != nil {
				b.Fatal(o.Err)
			}
			_, row, err := credit.Seal(o.Result, "bench", time.Now())
			if err != nil {
				b.Fatal(err)
			}
			stored = append(stored, row)
		}
		if err := s.SaveChecks(ctx, stored); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCreditSimulate: a policy simulation of a candidate catalogue
// (the default with the abnormal-operations list barring instead of
// restricting) over the credit-check sample, memory store: the projection
// once, then Simulate on every core (docs/credit-checks.md, "Policy
// simulation"). Reports the entities evaluated and the changes.
func BenchmarkCreditSimulate(b *testing.B) {
	s, _ := checkStore(b)
	ctx := context.Background()
	raw, err := os.ReadFile("../credit/measures.yaml")
	if err != nil {
		b.Fatal(err)
	}
	text := string(raw)
	i := strings.Index(text, "id: lists-abnormal-restrict")
	j := i + strings.Index(text[i:], "measure: restrict")
	cand, err := credit.Parse("candidate.yaml", []byte(text[:j]+"measure: prohibit"+text[j+len("measure: restrict"):]))
	if err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	g, err := engine.Project(ctx, s)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(time.Since(t0).Milliseconds()), "project-ms")
	ck := &credit.Checker{Reader: s, File: s, Catalogue: credit.Default()}
	b.ResetTimer()
	for b.Loop() {
		sim, err := ck.Simulate(ctx, credit.SimulateOptions{Current: credit.Default(), Candidate: cand, AsOf: models.NewDate(2026, 6, 1),
			Graph: g, Workers: runtime.GOMAXPROCS(0)})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(sim.Evaluated), "evaluated")
		b.ReportMetric(float64(sim.Changes), "changes")
	}
}
