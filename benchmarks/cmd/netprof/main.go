// Command netprof measures the depth-2 network on Neo4j three ways, on the
// database benchmarks/api.sh loaded (docs/storage.md "Depth-2 network from
// Neo4j"), and prints the PROFILE plan of cypher/network.cypher:
//
//   - walk: store.WalkNeighbourhood over the store's Expand, ring by ring,
//     each question a managed read transaction (the way before issue 19 §3);
//   - statement: the store's Neighbourhood, network.cypher in an
//     auto-commit transaction, walked in memory;
//   - json: statement, then the answer encoded as JSON as the handler
//     does (store.Graph.AppendJSON);
//   - auto and managed: network.cypher alone, its row read and dropped,
//     in an auto-commit transaction (session.Run: RUN and PULL, one round
//     trip; what the store does) and in a managed read transaction
//     (session.ExecuteRead: BEGIN, RUN, PULL, COMMIT).
//
// Each is run at 1 and 32 concurrent callers over distinct roots (-roots
// enterprises of the database, each asked once per run). Run it holding the
// test database's lock (NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE):
//
//	go build -o /tmp/netprof ./benchmarks/cmd/netprof
//	flock /tmp/rg-neo4j.lock /tmp/netprof -roots 2000
//
// -ways picks some of the ways (e.g. -ways statement), -cpuprofile writes
// this process's CPU profile of the timed runs (go tool pprof), and
// -profile-roots N sums PROFILE's db hits over N roots (the plan is printed
// for the first).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/rs/zerolog"

	"riskgraph/cypher"
	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/neo4j"
)

func main() {
	roots := flag.Int("roots", 2000, "enterprises to ask per way and concurrency")
	depth := flag.Int("depth", 2, "network depth")
	limit := flag.Int("limit", 200, "node limit (benchmarks/api.sh asks 200)")
	waysFlag := flag.String("ways", "walk,statement,auto,managed", "the ways to measure, comma-separated")
	cpuProfile := flag.String("cpuprofile", "", "write the CPU profile of the timed runs to this file")
	profileRoots := flag.Int("profile-roots", 1, "roots whose PROFILE db hits are summed")
	flag.IntVar(&neo4jPID, "neo4j-pid", 0, "the Neo4j server's process id, to report its CPU per 1 000 requests too")
	flag.Parse()
	if err := run(*roots, *depth, *limit, strings.Split(*waysFlag, ","), *cpuProfile, *profileRoots); err != nil {
		fmt.Fprintln(os.Stderr, "netprof:", err)
		os.Exit(1)
	}
}

func run(nRoots, depth, limit int, only []string, cpuProfile string, profileRoots int) error {
	ctx := context.Background()
	opts := neo4j.Options{URI: os.Getenv("NEO4J_URI"), User: os.Getenv("NEO4J_USER"), Password: os.Getenv("NEO4J_PASSWORD"),
		Database: os.Getenv("NEO4J_DATABASE"), Logger: zerolog.Nop()}
	if opts.URI == "" {
		opts.URI = neo4j.DefaultURI
	}
	st, err := neo4j.Open(ctx, opts)
	if err != nil {
		return err
	}
	defer st.Close()
	auth := driver.NoAuth()
	if opts.User != "" {
		auth = driver.BasicAuth(opts.User, opts.Password, "")
	}
	d, err := driver.NewDriverWithContext(opts.URI, auth)
	if err != nil {
		return err
	}
	defer d.Close(ctx)
	sessCfg := driver.SessionConfig{DatabaseName: opts.Database, AccessMode: driver.AccessModeRead}

	const warm = 50
	runs := 2 * len(only) // the ways at two concurrencies
	keys, err := sample(ctx, d, sessCfg, max(warm+runs*nRoots, profileRoots))
	if err != nil {
		return err
	}
	if len(keys) < warm+runs*nRoots || len(keys) < profileRoots {
		return fmt.Errorf("the database holds %d enterprises with relationships, want %d (load more with benchmarks/api.sh, or lower -roots)", len(keys), warm+runs*nRoots)
	}
	params := func(key string) map[string]any {
		return map[string]any{"kind": "enterprise", "key": key, "types": relTypes(), "depth": int64(depth), "limit": int64(limit)}
	}
	ways := []struct {
		name string
		fn   func(key string) error
	}{
		{"walk", func(key string) error {
			_, err := store.WalkNeighbourhood(ctx, st, models.EnterpriseRef(key), depth, nil, limit)
			return err
		}},
		{"statement", func(key string) error {
			_, err := st.Neighbourhood(ctx, models.EnterpriseRef(key), depth, nil, limit)
			return err
		}},
		{"json", func(key string) error {
			g, err := st.Neighbourhood(ctx, models.EnterpriseRef(key), depth, nil, limit)
			if err != nil {
				return err
			}
			_, err = g.AppendJSON(nil)
			return err
		}},
		{"auto", func(key string) error {
			sess := d.NewSession(ctx, sessCfg)
			defer sess.Close(ctx)
			res, err := sess.Run(ctx, cypher.MustGet("network"), params(key))
			if err != nil {
				return err
			}
			for res.Next(ctx) {
			}
			return res.Err()
		}},
		{"managed", func(key string) error {
			sess := d.NewSession(ctx, sessCfg)
			defer sess.Close(ctx)
			_, err := sess.ExecuteRead(ctx, func(tx driver.ManagedTransaction) (any, error) {
				res, err := tx.Run(ctx, cypher.MustGet("network"), params(key))
				if err != nil {
					return nil, err
				}
				for res.Next(ctx) {
				}
				return nil, res.Err()
			})
			return err
		}},
	}
	ways = slices.DeleteFunc(ways, func(w struct {
		name string
		fn   func(key string) error
	}) bool {
		return !slices.Contains(only, w.name)
	})
	// Warm the page cache and the query caches on roots no run asks.
	for _, w := range ways {
		for _, k := range keys[:warm] {
			if err := w.fn(k); err != nil {
				return fmt.Errorf("%s: %w", w.name, err)
			}
		}
	}
	// Each (way, concurrency) gets its own roots: no run is served by
	// what another left in the caches.
	slot := 0
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	for _, conc := range []int{1, 32} {
		for _, w := range ways {
			ks := keys[warm+slot*nRoots : warm+(slot+1)*nRoots]
			slot++
			self0, neo0 := selfCPU(), procCPU(neo4jPID)
			lat, took, err := drive(ks, conc, w.fn)
			if err != nil {
				return fmt.Errorf("%s c=%d: %w", w.name, conc, err)
			}
			self1, neo1 := selfCPU(), procCPU(neo4jPID)
			per := 1000 / float64(len(lat))
			fmt.Printf("network depth %d limit %d %-9s c=%-2d  %5d requests  %7.0f req/s  p50 %6.2f ms  p99 %6.2f ms  CPU/1000: client %.2f s, neo4j %.2f s\n",
				depth, limit, w.name, conc, len(lat), float64(len(lat))/took.Seconds(), ms(lat, 0.50), ms(lat, 0.99),
				(self1-self0)*per, (neo1-neo0)*per)
		}
	}
	pprof.StopCPUProfile()
	// The plan of the first root's statement, and the db hits of the first
	// profileRoots roots.
	sess := d.NewSession(ctx, sessCfg)
	defer sess.Close(ctx)
	var hits int64
	byOp := map[string]int64{}
	for i, key := range keys[:profileRoots] {
		res, err := sess.Run(ctx, "PROFILE "+cypher.MustGet("network"), params(key))
		if err != nil {
			return err
		}
		for res.Next(ctx) {
		}
		sum, err := res.Consume(ctx)
		if err != nil {
			return err
		}
		if i == 0 {
			fmt.Printf("total db hits %d\n", printPlan(sum.Profile(), 1))
		}
		hits += planHits(sum.Profile(), byOp)
	}
	fmt.Printf("db hits over %d roots: %d (%.1f per root)\n", profileRoots, hits, float64(hits)/float64(profileRoots))
	ops := make([]string, 0, len(byOp))
	for op := range byOp {
		ops = append(ops, op)
	}
	sort.Slice(ops, func(i, j int) bool { return byOp[ops[i]] > byOp[ops[j]] })
	for _, op := range ops[:min(12, len(ops))] {
		fmt.Printf("  %5.1f%%  %s\n", 100*float64(byOp[op])/float64(max(hits, 1)), op)
	}
	return nil
}

// planHits sums the db hits of a profiled plan, and adds each operator's
// to byOp (by operator and details).
func planHits(p driver.ProfiledPlan, byOp map[string]int64) int64 {
	if p == nil {
		return 0
	}
	n := p.DbHits()
	if n > 0 {
		byOp[fmt.Sprintf("%s %v", p.Operator(), p.Arguments()["Details"])] += n
	}
	for _, c := range p.Children() {
		n += planHits(c, byOp)
	}
	return n
}

// sample returns up to n enterprise keys that have relationships, in key order.
func sample(ctx context.Context, d driver.DriverWithContext, cfg driver.SessionConfig, n int) ([]string, error) {
	sess := d.NewSession(ctx, cfg)
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, "MATCH (e:Enterprise) WHERE EXISTS { (e)--() } RETURN e.key ORDER BY e.key LIMIT $n", map[string]any{"n": int64(n)})
	if err != nil {
		return nil, err
	}
	var keys []string
	for res.Next(ctx) {
		k, _ := res.Record().Values[0].(string)
		keys = append(keys, k)
	}
	return keys, res.Err()
}

func relTypes() []string {
	var out []string
	for _, t := range models.RelTypes {
		out = append(out, string(t))
	}
	return out
}

// drive calls fn once per key from conc goroutines and returns each call's latency.
func drive(keys []string, conc int, fn func(string) error) ([]time.Duration, time.Duration, error) {
	var (
		mu   sync.Mutex
		lat  []time.Duration
		ferr error
		wg   sync.WaitGroup
	)
	next := make(chan string)
	start := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				t := time.Now()
				err := fn(k)
				el := time.Since(t)
				mu.Lock()
				lat = append(lat, el)
				if err != nil && ferr == nil {
					ferr = err
				}
				mu.Unlock()
			}
		}()
	}
	for _, k := range keys {
		next <- k
	}
	close(next)
	wg.Wait()
	return lat, time.Since(start), ferr
}

func ms(lat []time.Duration, q float64) float64 {
	s := append([]time.Duration(nil), lat...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return float64(s[min(len(s)-1, int(q*float64(len(s))))].Microseconds()) / 1000
}

func printPlan(p driver.ProfiledPlan, depth int) int64 {
	if p == nil {
		return 0
	}
	fmt.Printf("%s%s rows=%d dbHits=%d %v\n", strings.Repeat("  ", depth), p.Operator(), p.Records(), p.DbHits(), p.Arguments()["Details"])
	total := p.DbHits()
	for _, c := range p.Children() {
		total += printPlan(c, depth+1)
	}
	return total
}

// neo4jPID is -neo4j-pid.
var neo4jPID int

// selfCPU is this process's user + system CPU time so far, in seconds.
func selfCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// procCPU is process pid's user + system CPU time so far, in seconds
// (Linux /proc/<pid>/stat, in ticks of 1/100 s); 0 without a pid.
func procCPU(pid int) float64 {
	if pid == 0 {
		return 0
	}
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(raw)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseFloat(f[11], 64)
	t, _ := strconv.ParseFloat(f[12], 64)
	return (u + t) / 100
}
