// Package neo4jtest connects tests to a real Neo4j server: the one at
// NEO4J_URI (default bolt://127.0.0.1:7687), with NEO4J_USER and
// NEO4J_PASSWORD (no authentication when NEO4J_USER is unset) and
// NEO4J_DATABASE (the server's default when unset).
//
// When the server does not answer, tests that need it are skipped, unless
// CI=true: under CI a missing server fails the test, never skips it silently.
// Start a development server with scripts/neo4j-up.sh (or make services-up).
//
// Tests empty the database, so test processes that use the same server and
// database must not overlap: `go test ./...` runs packages in parallel. The
// first Open or Driver in a test process takes a lock file (in the temporary
// directory, named after the URI and database) that it keeps until the
// process exits; another package's test process waits for it. Tests within
// one package must not call t.Parallel.
package neo4jtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/rs/zerolog"

	"riskgraph/cypher"
	rgneo4j "riskgraph/store/neo4j"
)

// qDeleteAll empties the database and keeps the schema.
const qDeleteAll = "delete_all"

// reach caches the reachability check: one wait per test binary.
var reach struct {
	once sync.Once
	err  error
}

// exclusive serializes test processes that use the same database.
var exclusive struct {
	once sync.Once
	err  error
}

func lock(t testing.TB, opts rgneo4j.Options) {
	t.Helper()
	exclusive.once.Do(func() {
		sum := sha256.Sum256([]byte(opts.URI + "\x00" + opts.Database))
		path := filepath.Join(os.TempDir(), "riskgraph-neo4jtest-"+hex.EncodeToString(sum[:8])+".lock")
		start := time.Now()
		exclusive.err = lockFile(path)
		if waited := time.Since(start); waited > time.Second {
			t.Logf("waited %v for another test process using Neo4j (%s)", waited.Round(time.Millisecond), path)
		}
	})
	if exclusive.err != nil {
		t.Fatalf("lock the test database: %v", exclusive.err)
	}
}

// Options returns store options for the test server, after checking that
// it answers. An unreachable server skips the test, or fails it when CI=true.
func Options(t testing.TB) rgneo4j.Options {
	t.Helper()
	opts := rgneo4j.Options{
		URI:      os.Getenv("NEO4J_URI"),
		User:     os.Getenv("NEO4J_USER"),
		Password: os.Getenv("NEO4J_PASSWORD"),
		Database: os.Getenv("NEO4J_DATABASE"),
		Logger:   zerolog.Nop(),
	}
	if opts.URI == "" {
		opts.URI = rgneo4j.DefaultURI
	}
	reach.once.Do(func() {
		d, err := newDriver(opts)
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err = d.VerifyConnectivity(ctx)
			_ = d.Close(ctx)
		}
		reach.err = err
	})
	if reach.err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Neo4j required under CI; run make services-up (NEO4J_URI=%s): %v", opts.URI, reach.err)
		}
		t.Skipf("no Neo4j server at %s (%v); start one with scripts/neo4j-up.sh or set NEO4J_URI", opts.URI, reach.err)
	}
	return opts
}

// Open returns a store on the test server with an empty database (the
// schema is kept). It is closed when the test ends.
func Open(t testing.TB) *rgneo4j.Store {
	t.Helper()
	opts := Options(t)
	lock(t, opts)
	ctx := context.Background()
	s, err := rgneo4j.Open(ctx, opts)
	if err != nil {
		t.Fatalf("open Neo4j store: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	d, database := Driver(t)
	sess := d.NewSession(ctx, driver.SessionConfig{DatabaseName: database})
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, cypher.MustGet(qDeleteAll), nil)
	if err == nil {
		_, err = res.Consume(ctx)
	}
	if err != nil {
		t.Fatalf("empty the test database: %v", err)
	}
	return s
}

// OpenRouting is Open with the routing form of the test server's URI
// (bolt:// → neo4j://, bolt+s:// → neo4j+s://): the driver asks the server
// for its routing table and sends reads and writes where it says, as
// against a cluster. A single server routes to itself.
func OpenRouting(t testing.TB) *rgneo4j.Store {
	t.Helper()
	Open(t) // lock and empty the database
	opts := Options(t)
	opts.URI = RoutingURI(opts.URI)
	s, err := rgneo4j.Open(context.Background(), opts)
	if err != nil {
		t.Fatalf("open Neo4j store at %s: %v", opts.URI, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// RoutingURI turns a bolt URI into the neo4j (routing) URI of the same
// server; other URIs are returned as they are.
func RoutingURI(uri string) string {
	if rest, ok := strings.CutPrefix(uri, "bolt"); ok {
		return "neo4j" + rest
	}
	return uri
}

// Driver returns a driver for the test server and the database to use. It
// is closed when the test ends.
func Driver(t testing.TB) (driver.DriverWithContext, string) {
	t.Helper()
	opts := Options(t)
	lock(t, opts)
	d, err := newDriver(opts)
	if err != nil {
		t.Fatalf("neo4j driver: %v", err)
	}
	t.Cleanup(func() { _ = d.Close(context.Background()) })
	return d, opts.Database
}

func newDriver(opts rgneo4j.Options) (driver.DriverWithContext, error) {
	auth := driver.NoAuth()
	if opts.User != "" {
		auth = driver.BasicAuth(opts.User, opts.Password, "")
	}
	return driver.NewDriverWithContext(opts.URI, auth)
}
