package benchmarks

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"riskgraph/engine"
	"riskgraph/store"
	"riskgraph/store/neo4j"
	"riskgraph/store/neo4j/neo4jtest"
)

// neo4jProjectSize is the sample size of the Neo4j projection benchmarks
// (RISKGRAPH_NEO4J_PROJECT_ENTERPRISES, default 100 000).
func neo4jProjectSize() int {
	if v, err := strconv.Atoi(os.Getenv("RISKGRAPH_NEO4J_PROJECT_ENTERPRISES")); err == nil && v > 0 {
		return v
	}
	return 100_000
}

// loadedNeo4j is the test database of the real Neo4j at NEO4J_URI
// holding the generator's n enterprises (seed 1): neo4jSample, which
// loads them online, or keeps them with RISKGRAPH_NEO4J_REUSE=1.
func loadedNeo4j(b *testing.B, n int) *neo4j.Store {
	b.Helper()
	st, _ := neo4jSample(b, n)
	return st
}

// serverCPUSeconds is the user + system CPU time so far of the process
// NEO4J_PID names (the Neo4j server, when it runs on this machine); ok is
// false when it is unset or unreadable.
func serverCPUSeconds() (float64, bool) {
	pid := os.Getenv("NEO4J_PID")
	if pid == "" {
		return 0, false
	}
	raw, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0, false
	}
	// The command name, in parentheses, may hold spaces: fields count from
	// after it. utime and stime are fields 14 and 15, in clock ticks
	// (USER_HZ, 100 on Linux).
	s := string(raw)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, false
	}
	ut, err1 := strconv.ParseFloat(f[11], 64)
	st, err2 := strconv.ParseFloat(f[12], 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return (ut + st) / 100, true
}

// BenchmarkScanNeo4j times store/neo4j's scans alone, without the engine:
// Scan (every property) and ScanProjection (the projection's fields and
// node numbers), in the engine's page size, over the sample of
// BenchmarkProjectNeo4j, with 1, 2 and 4 sessions per stream
// (Options.ScanSessions). Reports rows and relationships per second, the
// client's CPU seconds per scan and, with NEO4J_PID set to the server's
// process id, the server's.
func BenchmarkScanNeo4j(b *testing.B) {
	loadedNeo4j(b, neo4jProjectSize())
	ctx := context.Background()
	var rows, rels int
	count := func(p *store.Batch) {
		rows += p.Len()
		rels += len(p.Shareholdings) + len(p.Roles) + len(p.Branches)
	}
	for _, sessions := range []int{1, 2, 4} {
		opts := neo4jtest.Options(b)
		opts.ScanSessions = sessions
		st, err := neo4j.Open(ctx, opts)
		if err != nil {
			b.Fatal(err)
		}
		for _, tc := range []struct {
			name string
			scan func() error
		}{
			{"Scan", func() error {
				return st.Scan(ctx, engine.ProjectPageSize, func(p *store.Batch) error { count(p); return nil })
			}},
			{"ScanProjection", func() error {
				return st.ScanProjection(ctx, engine.ProjectPageSize, func(p *store.ProjectionPage) error { count(&p.Batch); return nil })
			}},
		} {
			b.Run(fmt.Sprintf("%s/sessions=%d", tc.name, sessions), func(b *testing.B) {
				cpu0 := cpuSeconds()
				srv0, srvOK := serverCPUSeconds()
				start := time.Now()
				for b.Loop() {
					rows, rels = 0, 0
					if err := tc.scan(); err != nil {
						b.Fatal(err)
					}
				}
				sec := time.Since(start).Seconds() / float64(b.N)
				b.ReportMetric(sec, "scan-s")
				b.ReportMetric(float64(rows)/sec, "rows/s")
				b.ReportMetric(float64(rels)/sec, "relationships/s")
				b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N), "client-cpu-s")
				if srv1, ok := serverCPUSeconds(); ok && srvOK {
					b.ReportMetric((srv1-srv0)/float64(b.N), "server-cpu-s")
				}
			})
		}
		st.Close()
	}
}
