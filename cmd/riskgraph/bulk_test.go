package main

import (
	"context"
	"fmt"
	"math"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"
	"github.com/rs/zerolog"

	"riskgraph/store"
	rgneo4j "riskgraph/store/neo4j"
	"riskgraph/store/storetest"
	"riskgraph/synth"
)

// The bulk load test replaces the whole database it imports into, so it
// never runs on the shared test server: scripts/test.sh starts a second
// instance (RISKGRAPH_NEO4J_INSTANCE=bulk, Bolt 7688) and names it in
// NEO4J_BULK_URI. Without it the test is skipped, or fails under CI=true.
func bulkInstance(t *testing.T) (uri string, env []string) {
	t.Helper()
	uri = os.Getenv("NEO4J_BULK_URI")
	if uri == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("NEO4J_BULK_URI is unset: the bulk load test needs its own Neo4j instance, which scripts/test.sh starts (RISKGRAPH_NEO4J_INSTANCE=bulk RISKGRAPH_NEO4J_BOLT_PORT=7688 scripts/neo4j-up.sh)")
		}
		t.Skip("NEO4J_BULK_URI is unset; start a second instance with RISKGRAPH_NEO4J_INSTANCE=bulk RISKGRAPH_NEO4J_BOLT_PORT=7688 scripts/neo4j-up.sh and set NEO4J_BULK_URI=bolt://127.0.0.1:7688")
	}
	u, err := url.Parse(uri)
	if err != nil || u.Port() == "" {
		t.Fatalf("NEO4J_BULK_URI %q: give bolt://host:port", uri)
	}
	if u.Port() == "7687" {
		t.Fatalf("NEO4J_BULK_URI %s is the shared test server's port: the bulk load replaces its database; give the second instance", uri)
	}
	instance := os.Getenv("NEO4J_BULK_INSTANCE")
	if instance == "" {
		instance = "bulk"
	}
	script, err := filepath.Abs("../../scripts/neo4j-import.sh")
	if err != nil {
		t.Fatal(err)
	}
	// The instance's settings go to the import script (which restarts it) only:
	// the shared server's scripts must not see them.
	env = []string{"RISKGRAPH_STORE=neo4j", "NEO4J_URI=" + uri, "RISKGRAPH_PID_KEY=bulk-test-key-0123456789",
		"RISKGRAPH_NEO4J_INSTANCE=" + instance, "RISKGRAPH_NEO4J_BOLT_PORT=" + u.Port(), "RISKGRAPH_NEO4J_IMPORT=" + script,
		"RISKGRAPH_NEO4J_HEAP=" + envDefault("NEO4J_BULK_HEAP", "1g"), "RISKGRAPH_NEO4J_PAGECACHE_MB=" + envDefault("NEO4J_BULK_PAGECACHE_MB", "256"),
		"RISKGRAPH_NEO4J_IMPORT_HEAP=" + envDefault("NEO4J_BULK_HEAP", "1g"), "RISKGRAPH_LOG_LEVEL=warn"}
	for _, k := range []string{"RISKGRAPH_SERVICES_DIR", "JAVA_HOME"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	// scripts/test.sh starts the instance in the background: wait for it.
	deadline := time.Now().Add(3 * time.Minute)
	for {
		c, err := net.DialTimeout("tcp", u.Host, time.Second)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the bulk test instance at %s does not answer after 3 minutes: %v (log: .services/neo4j-%s.log)", uri, err, instance)
		}
		time.Sleep(500 * time.Millisecond)
	}
	return uri, env
}

func envDefault(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// bulkInputs writes a small generated set and a second directory whose rows
// repeat, move and quote what the first holds: an enterprise given again
// with a name holding a quote, a comma and a line break; a shareholding
// given again with another ratio; a record moved to another subject; a
// relationship to an enterprise no row gives (a placeholder).
func bulkInputs(t *testing.T) []string {
	t.Helper()
	gen := filepath.Join(t.TempDir(), "gen")
	if _, err := synth.Generate(synth.GenerateOptions{Enterprises: 300, Seed: 7, Out: gen}); err != nil {
		t.Fatal(err)
	}
	lines := func(name string) []string {
		b, err := os.ReadFile(filepath.Join(gen, name))
		if err != nil {
			t.Fatal(err)
		}
		return strings.Split(strings.TrimSpace(string(b)), "\n")
	}
	ent := lines("enterprises.csv")
	sh := lines("shareholdings.csv")
	rec := lines("records.csv")
	other := filepath.Join(t.TempDir(), "more")
	if err := os.MkdirAll(other, 0o700); err != nil {
		t.Fatal(err)
	}
	write := func(name string, rows ...string) {
		if err := os.WriteFile(filepath.Join(other, name), []byte(strings.Join(rows, "\n")+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// uscc,id,name,…: the first enterprise again, renamed.
	f := strings.SplitN(ent[1], ",", 4)
	write("enterprises.csv", ent[0], f[0]+","+f[1]+`,"He said ""yes"", then
left, 有限公司",`+f[3])
	// holder_kind,holder,enterprise,ratio,…: the first holding again at 0.5,
	// and one in an enterprise nobody registered (91110000000000000X is not
	// checked here: take a second enterprise's USCC with the holder of the first).
	h := strings.Split(sh[1], ",")
	h[3] = "0.5"
	write("shareholdings.csv", sh[0], strings.Join(h, ","), "enterprise,"+strings.Split(ent[2], ",")[0]+",91440300MA5DEGT07B,0.1,,")
	// record_id,subject_kind,subject,…: the first record on another enterprise.
	r := strings.Split(rec[1], ",")
	r[1], r[2] = "enterprise", strings.Split(ent[3], ",")[0]
	write("records.csv", rec[0], strings.Join(r, ","))
	return []string{gen, other}
}

// graphDump renders every node (but the Meta counters) and relationship of
// the database as sorted lines, so that two loads compare line by line.
// graphDump lists every node and relationship with its properties, the
// change feed's gen stamp shown only as present (its value depends on how
// the online load's concurrent batches interleaved), and the stamps' range.
func graphDump(t *testing.T, uri string) (nodes, rels []string, minGen, maxGen int64) {
	t.Helper()
	ctx := context.Background()
	d, err := driver.NewDriverWithContext(uri, driver.NoAuth())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close(ctx)
	run := func(q string) [][]any {
		res, err := driver.ExecuteQuery(ctx, d, q, nil, driver.EagerResultTransformer)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		out := make([][]any, len(res.Records))
		for i, r := range res.Records {
			out[i] = r.Values
		}
		return out
	}
	minGen = math.MaxInt64
	stamp := func(p map[string]any) map[string]any {
		if g, ok := p["gen"].(int64); ok {
			minGen, maxGen = min(minGen, g), max(maxGen, g)
			p["gen"] = "stamped"
		}
		return p
	}
	for _, v := range run(`MATCH (n) WHERE NOT n:Meta AND NOT n:Generation RETURN labels(n), properties(n)`) {
		nodes = append(nodes, fmt.Sprintf("%v %s", v[0], propsText(stamp(v[1].(map[string]any)))))
	}
	for _, v := range run(`MATCH (a)-[r]->(b) RETURN labels(a)[0] + ':' + coalesce(a.key, a.pid, a.id), type(r),
		labels(b)[0] + ':' + coalesce(b.key, b.pid, b.id), properties(r)`) {
		rels = append(rels, fmt.Sprintf("%v -%v-> %v %s", v[0], v[1], v[2], propsText(stamp(v[3].(map[string]any)))))
	}
	sort.Strings(nodes)
	sort.Strings(rels)
	return nodes, rels, minGen, maxGen
}

func propsText(p map[string]any) string {
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range p {
			if !yield(k) {
				return
			}
		}
	})
	var b strings.Builder
	for _, k := range keys {
		v := p[k]
		text := fmt.Sprint(v)
		if d, ok := v.(dbtype.Date); ok {
			text = d.String()
		}
		fmt.Fprintf(&b, "%s=%T:%q ", k, v, text)
	}
	return b.String()
}

func emptyDatabase(t *testing.T, uri string) {
	t.Helper()
	ctx := context.Background()
	d, err := driver.NewDriverWithContext(uri, driver.NoAuth())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close(ctx)
	sess := d.NewSession(ctx, driver.SessionConfig{})
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS", nil)
	if err == nil {
		_, err = res.Consume(ctx)
	}
	if err != nil {
		t.Fatalf("empty the bulk test database: %v", err)
	}
}

// diffLines reports the lines only one side has (at most 10 of each).
func diffLines(t *testing.T, what string, bulk, online []string) {
	t.Helper()
	onlyBulk, onlyOnline := 0, 0
	i, j := 0, 0
	for i < len(bulk) || j < len(online) {
		switch {
		case j == len(online) || (i < len(bulk) && bulk[i] < online[j]):
			if onlyBulk++; onlyBulk <= 10 {
				t.Errorf("%s only in the bulk load: %s", what, bulk[i])
			}
			i++
		case i == len(bulk) || online[j] < bulk[i]:
			if onlyOnline++; onlyOnline <= 10 {
				t.Errorf("%s only in the online load: %s", what, online[j])
			}
			j++
		default:
			i++
			j++
		}
	}
	if onlyBulk+onlyOnline > 0 {
		t.Errorf("%s: %d only in the bulk load, %d only in the online load (of %d and %d)", what, onlyBulk, onlyOnline, len(bulk), len(online))
	}
}

// TestBulkLoadMatchesOnlineLoad loads the same files with --bulk-neo4j and
// online into the bulk instance and compares the two graphs node by node
// and relationship by relationship (properties with their types), and the
// data generation. Between the two it runs the store conformance suite on
// the database the import created (its schema made by the store's Open).
func TestBulkLoadMatchesOnlineLoad(t *testing.T) {
	uri, env := bulkInstance(t)
	inputs := bulkInputs(t)
	dir := t.TempDir()
	files := filepath.Join(dir, "import")
	base := []string{"--data-dir", filepath.Join(dir, "data"), "ingest", "--progress", "none", "--source", "bulktest", "--batch-size", "500"}
	bulkArgs := append(append(slices.Clone(base), "--bulk-neo4j", files, "--bulk-replace"), inputs...)
	onlineArgs := append(slices.Clone(base), inputs...)

	cmd := command(bulkArgs...)
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bulk load: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "rows/s end to end") {
		t.Errorf("no end-to-end rate in the output:\n%s", out)
	}
	t.Logf("bulk load:\n%s", out)
	bulkNodes, bulkRels, lo, hi := graphDump(t, uri)
	bulkGen := generationAt(t, uri)
	if lo < 1 || hi > int64(bulkGen) || hi < 2 {
		t.Errorf("bulk gen stamps from %d to %d, want batch numbers within 1..%d (the generation)", lo, hi, bulkGen)
	}

	t.Run("Conformance", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) store.Store {
			s, err := rgneo4j.Open(context.Background(), rgneo4j.Options{URI: uri, Logger: zerolog.Nop()})
			if err != nil {
				t.Fatal(err)
			}
			emptyDatabase(t, uri)
			return s
		})
	})

	emptyDatabase(t, uri)
	cmd = command(onlineArgs...)
	cmd.Env = append(cmd.Env, env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("online load: %v\n%s", err, out)
	}
	onlineNodes, onlineRels, _, _ := graphDump(t, uri)
	if len(bulkNodes) < 1000 || len(bulkRels) < 1000 {
		t.Fatalf("the bulk load holds %d nodes and %d relationships: too few for this data", len(bulkNodes), len(bulkRels))
	}
	diffLines(t, "node", bulkNodes, onlineNodes)
	diffLines(t, "relationship", bulkRels, onlineRels)
	if g := generationAt(t, uri); g != bulkGen || g == 0 {
		t.Errorf("generation: bulk %d, online %d", bulkGen, g)
	}
	// A database holding data is replaced only with --bulk-replace: without
	// it the command refuses before reading anything.
	cmd = command(append(append(slices.Clone(base), "--bulk-neo4j", filepath.Join(dir, "again")), inputs...)...)
	cmd.Env = append(cmd.Env, env...)
	out, err = cmd.CombinedOutput()
	if exitCode(err) != 2 || !strings.Contains(string(out), "--bulk-replace") {
		t.Errorf("bulk load over data without --bulk-replace: exit %d, %s", exitCode(err), out)
	}
	// The edge cases of bulkInputs are in the graph (and so compared).
	for _, want := range []string{`He said \"yes\", then`, "Enterprise:91440300MA5DEGT07B"} {
		if !slices.ContainsFunc(append(bulkNodes, bulkRels...), func(s string) bool { return strings.Contains(s, want) }) {
			t.Errorf("the bulk load lacks %s", want)
		}
	}
}

func generationAt(t *testing.T, uri string) uint64 {
	t.Helper()
	s, err := rgneo4j.Open(context.Background(), rgneo4j.Options{URI: uri, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	g, err := s.Generation(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return g
}
