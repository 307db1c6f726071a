package benchmarks

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/rs/zerolog"

	"riskgraph/ingest"
	"riskgraph/models"
	"riskgraph/store/neo4j"
	"riskgraph/store/neo4j/neo4jtest"
	"riskgraph/synth"
)

// neo4jSample generates n enterprises (seed 1) into a temporary directory
// and makes the test database of the real Neo4j at NEO4J_URI hold exactly
// them: emptied and loaded online with ingest.LoadDir (batch 5 000), the
// setup of the Neo4j benchmarks (not timed). With RISKGRAPH_NEO4J_REUSE=1
// a database that already holds the sample (loaded by an earlier benchmark
// or `riskgraph ingest --bulk-neo4j`, with the same pid key) is kept: it
// must hold as many enterprises as the sample and its first and last, else
// it is emptied and loaded as without the setting. It returns the store
// and the generated directory.
func neo4jSample(b *testing.B, n int) (*neo4j.Store, string) {
	b.Helper()
	dir := filepath.Join(b.TempDir(), "gen")
	if _, err := synth.Generate(synth.GenerateOptions{Enterprises: n, Seed: 1, Out: dir}); err != nil {
		b.Fatal(err)
	}
	keys, err := sampleKeys(dir)
	if err != nil {
		b.Fatal(err)
	}
	if os.Getenv("RISKGRAPH_NEO4J_REUSE") == "1" {
		opts := neo4jtest.Options(b)
		st, err := neo4j.Open(context.Background(), opts)
		if err != nil {
			b.Fatal(err)
		}
		if holdsSample(b, st, n, keys) {
			b.Logf("reusing the Neo4j database: it holds the %d-enterprise sample", n)
			b.Cleanup(func() { _ = st.Close() })
			return st, dir
		}
		_ = st.Close()
	}
	st := neo4jtest.Open(b)
	h, _ := models.NewPIDHasher([]byte("benchmark-pid-key-0123456789"))
	t0 := time.Now()
	if _, err := ingest.LoadDir(context.Background(), dir, st, ingest.LoadOptions{Hasher: h, Source: "bench", BatchSize: 5000, Logger: zerolog.Nop()}); err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d enterprises into Neo4j in %s", n, time.Since(t0).Round(time.Second))
	return st, dir
}

// holdsSample reports whether st holds the generated sample: its number
// of enterprises (every row of enterprises.csv, with or without a USCC)
// and the first and last of keys.
func holdsSample(b *testing.B, st *neo4j.Store, n int, keys []string) bool {
	ctx := context.Background()
	if len(keys) == 0 {
		return false
	}
	for _, k := range []string{keys[0], keys[len(keys)-1]} {
		if _, err := st.Enterprise(ctx, k); err != nil {
			return false
		}
	}
	d, database := neo4jtest.Driver(b)
	sess := d.NewSession(ctx, driver.SessionConfig{DatabaseName: database, AccessMode: driver.AccessModeRead})
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, "MATCH (e:Enterprise) RETURN count(e)", nil)
	if err != nil {
		return false
	}
	rec, err := res.Single(ctx)
	if err != nil {
		return false
	}
	count, _ := rec.Values[0].(int64)
	return count == int64(n)
}
