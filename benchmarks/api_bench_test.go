//go:build apibench

package benchmarks

// BenchmarkAPI measures the HTTP API as deployed: a `riskgraph serve`
// process on Neo4j and Redis, loaded by `loadgen` (benchmarks/cmd/loadgen),
// a second process on loopback. Run it with benchmarks/api.sh (make bench);
// figures are in RESULTS.md, section API.

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"riskgraph/auth"
	"riskgraph/cache"
	"riskgraph/ingest"
	"riskgraph/store"
	"riskgraph/store/neo4j/neo4jtest"
	"riskgraph/synth"
)

// apiSize is the number of enterprises (RISKGRAPH_API_BENCH_ENTERPRISES,
// default 100 000).
func apiSize() int {
	if n, err := strconv.Atoi(os.Getenv("RISKGRAPH_API_BENCH_ENTERPRISES")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// loadResult is loadgen's output line.
type loadResult struct {
	Requests int            `json:"requests"`
	Errors   int            `json:"errors"`
	Statuses map[string]int `json:"statuses"`
	RPS      float64        `json:"rps"`
	P50      float64        `json:"p50_ms"`
	P90      float64        `json:"p90_ms"`
	P99      float64        `json:"p99_ms"`
	Max      float64        `json:"max_ms"`
	Cache    map[string]int `json:"x_cache"`
}

func goBuild(b *testing.B, dir, pkg string) string {
	out := filepath.Join(dir, filepath.Base(pkg))
	if msg, err := exec.Command("go", "build", "-o", out, pkg).CombinedOutput(); err != nil {
		b.Fatalf("build %s: %v\n%s", pkg, err, msg)
	}
	return out
}

func BenchmarkAPI(b *testing.B) {
	ctx := context.Background()
	redisURL := os.Getenv("REDIS_URL")
	if redisURL == "" {
		redisURL = "redis://127.0.0.1:6379/0"
	}
	rc, err := cache.OpenRedis(ctx, redisURL)
	if err != nil {
		b.Fatalf("Redis is required (make services-up): %v", err)
	}
	rc.Close()
	nopts := neo4jtest.Options(b)
	s := neo4jtest.Open(b) // locks the test database for this process and empties it
	tmp := b.TempDir()
	rgBin := os.Getenv("RISKGRAPH_API_BENCH_SERVE") // another build of serve, measured by this tree's loads
	if rgBin == "" {
		rgBin = goBuild(b, tmp, "riskgraph/cmd/riskgraph")
	}
	loadgen := goBuild(b, tmp, "riskgraph/benchmarks/cmd/loadgen")

	// Data: the generator's sample, loaded into Neo4j.
	n := apiSize()
	in := filepath.Join(tmp, "in")
	if _, err := synth.Generate(synth.GenerateOptions{Enterprises: n, Seed: 1, Out: in}); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	opts := loadOptions(b, 5000)
	sum, err := ingest.LoadDir(ctx, in, s, opts)
	if err != nil || sum.Total.Rejected != 0 {
		b.Fatalf("load: %v (%d rejected)", err, sum.Total.Rejected)
	}
	b.Logf("loaded %d rows into Neo4j in %v", sum.Total.Accepted, time.Since(start).Round(time.Second))
	keys, err := sampleKeys(in)
	if err != nil {
		b.Fatal(err)
	}
	admin, id, _ := auth.NewKey()
	if err := s.SaveKey(ctx, store.APIKey{ID: id, Name: "bench", Role: string(auth.Admin), Hash: auth.Hash(admin), Created: time.Now()}); err != nil {
		b.Fatal(err)
	}
	// Fresh Redis state for this data: older rankings and answers carry other run ids.
	flushPrefix(b, redisURL, "rg:")

	// The server: a second process. The rate limit stays on (counted in
	// Redis on every request) but high enough never to refuse.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	rateLimit := os.Getenv("RISKGRAPH_API_BENCH_RATE_LIMIT")
	if rateLimit == "" {
		rateLimit = "1000000000"
	}
	serve := exec.Command(rgBin, "--addr", addr, "--log-level", "warn", "--log-format", "json", "--data-dir", tmp, "serve", "--rate-limit", rateLimit)
	serve.Env = append(os.Environ(), "NEO4J_URI="+nopts.URI, "NEO4J_DATABASE="+nopts.Database, "REDIS_URL="+redisURL, "RISKGRAPH_STORE=neo4j")
	var serveLog bytes.Buffer
	serve.Stderr = &serveLog
	if err := serve.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = serve.Process.Signal(os.Interrupt); _ = serve.Wait() }()
	base := "http://" + addr
	waitFor(b, func() bool {
		resp, err := http.Get(base + "/readyz")
		ok := err == nil && resp.StatusCode == 200
		closeBody(resp)
		return ok
	}, &serveLog)

	// Score through the API (POST /api/v1/runs), as an admin would.
	start = time.Now()
	run := postRun(b, base, admin)
	waitFor(b, func() bool { return runStatus(b, base, admin, run) == store.RunCompleted }, &serveLog)
	b.Logf("engine run %s through the API: %v", run, time.Since(start).Round(time.Second))
	// The rankings reach Redis after the run is marked completed (the
	// trigger publishes them next, or the API on first use if that
	// failed): wait for them, so that no measurement below races the
	// publish. Each poll asks a page never asked before (no cached answer).
	polls := 0
	waitFor(b, func() bool {
		polls++
		_, src := getJSONSource(b, base, admin, fmt.Sprintf("/api/v1/ranking?offset=%d&limit=7", polls))
		return src == "redis"
	}, &serveLog)
	b.Logf("rankings in Redis %v after the run started", time.Since(start).Round(time.Second))
	time.Sleep(2 * time.Second) // versions (1 s) and key cache settle

	paths := func(name string, f func(i int, key string) string, from, count int) string {
		p := filepath.Join(tmp, name+".txt")
		var buf bytes.Buffer
		for i := from; i < from+count && i < len(keys); i++ {
			buf.WriteString(f(i, keys[i]) + "\n")
		}
		if buf.Len() == 0 {
			b.Fatalf("%s: no enterprises left in the sample of %d (RISKGRAPH_API_BENCH_ENTERPRISES too small)", name, len(keys))
		}
		if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
			b.Fatal(err)
		}
		return p
	}
	load := func(name string, args ...string) loadResult {
		client := cmp.Or(os.Getenv("RISKGRAPH_API_BENCH_CLIENT"), "raw")
		cmd := exec.Command(loadgen, append([]string{"-base", base, "-key", admin, "-client", client}, args...)...)
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("%s: loadgen: %v\n%s", name, err, out)
		}
		var r loadResult
		if err := json.Unmarshal(out, &r); err != nil {
			b.Fatalf("%s: %v: %s", name, err, out)
		}
		if r.Errors > 0 || r.Statuses["200"] != r.Requests {
			b.Errorf("%s: errors %d, statuses %v\n%s", name, r.Errors, r.Statuses, serveLog.String())
		}
		fmt.Printf("API %-40s requests %7d  %9.0f req/s  p50 %7.2f ms  p90 %7.2f ms  p99 %7.2f ms  max %8.2f ms  cache %v\n",
			name, r.Requests, r.RPS, r.P50, r.P90, r.P99, r.Max, r.Cache)
		return r
	}
	risk := func(_ int, k string) string { return "/api/v1/enterprises/" + k + "/risk" }
	network := func(_ int, k string) string { return "/api/v1/enterprises/" + k + "/network?depth=2&limit=200" }

	// The sample is cut into disjoint slices, so that each "uncached" load
	// asks enterprises nothing asked before and any size runs: hot (the
	// cached look-ups), then fractions of the rest.
	hotN := min(1000, len(keys)/10)
	slice := func(from, to float64) (int, int) {
		lo := hotN + int(from*float64(len(keys)-hotN))
		return lo, hotN + int(to*float64(len(keys)-hotN)) - lo
	}

	// 1. Cached score lookups: hot enterprises, warmed, then at full load.
	hot := paths("risk-hot", risk, 0, hotN)
	load("warm-up", "-paths", hot, "-once", "-c", "8", "-d", "60s")
	cached := load("risk cached (c=32)", "-paths", hot, "-c", "32", "-d", "10s")
	load("risk cached, gzip (c=32)", "-paths", hot, "-c", "32", "-d", "10s", "-gzip")
	load("risk cached (c=8)", "-paths", hot, "-c", "8", "-d", "10s")
	// Uncached: enterprises never asked before (store + explanation + cache write).
	from, count := slice(0, 0.05)
	uncached1 := load("risk uncached (c=1)", "-paths", paths("risk-cold-1", risk, from, count), "-once", "-c", "1", "-d", "10s")
	from, count = slice(0.05, 0.22)
	uncached := load("risk uncached (c=32)", "-paths", paths("risk-cold", risk, from, count), "-once", "-c", "32", "-d", "10s")
	// Open loop (loadgen -rate): issue 19 §3 states its targets as a rate
	// held with a p99, which a closed loop of 32 connections cannot show
	// (its latency is 32 / throughput by construction). 1 000 requests per
	// second on schedule, up to 64 outstanding, latency from each one's due time.
	from, count = slice(0.31, 0.4)
	riskPaced := load("risk uncached, paced 1000/s", "-paths", paths("risk-paced", risk, from, count), "-once", "-rate", "1000", "-c", "64", "-d", "8s")
	b.ReportMetric(cached.RPS, "cached-req/s")
	b.ReportMetric(cached.P99, "cached-p99-ms")
	b.ReportMetric(uncached.RPS, "uncached-req/s")
	b.ReportMetric(uncached.P99, "uncached-p99-ms")
	b.ReportMetric(uncached1.P99, "uncached-c1-p99-ms")
	fmt.Printf("API ratio cached/uncached throughput: %.1f\n", cached.RPS/uncached.RPS)

	// 2. Neighbourhood depth 2, limit 200, from Neo4j, uncached (each
	// enterprise once), then cached (a slice already asked, warmed).
	from, count = slice(0.4, 0.5)
	net1Paths := paths("net-1", network, from, count)
	net1 := load("network d2 l200 uncached (c=1)", "-paths", net1Paths, "-once", "-c", "1", "-d", "15s")
	from, count = slice(0.5, 0.65)
	load("network d2 l200 uncached (c=4)", "-paths", paths("net-4", network, from, count), "-once", "-c", "4", "-d", "15s")
	from, count = slice(0.65, 0.95)
	net32 := load("network d2 l200 uncached (c=32)", "-paths", paths("net-32", network, from, count), "-once", "-c", "32", "-d", "15s")
	from, count = slice(0.22, 0.31)
	netPaced := load("network d2 l200 uncached, paced 1000/s", "-paths", paths("net-paced", network, from, count), "-once", "-rate", "1000", "-c", "64", "-d", "8s")
	from, _ = slice(0.4, 0.5)
	netHot := paths("net-hot", network, from, min(500, hotN))
	load("network warm-up", "-paths", netHot, "-once", "-c", "8", "-d", "60s")
	netCached := load("network d2 l200 cached, gzip (c=32)", "-paths", netHot, "-c", "32", "-d", "10s", "-gzip")
	load("network d2 l200 cached (c=32)", "-paths", netHot, "-c", "32", "-d", "10s")
	b.ReportMetric(net1.P50, "network-p50-ms")
	b.ReportMetric(net1.P99, "network-p99-ms")
	b.ReportMetric(net32.RPS, "network-c32-req/s")
	b.ReportMetric(netCached.RPS, "network-cached-req/s")
	b.ReportMetric(netPaced.RPS, "network-paced-req/s")
	b.ReportMetric(netPaced.P99, "network-paced-p99-ms")
	b.ReportMetric(riskPaced.P99, "uncached-paced-p99-ms")
	fmt.Printf("API §3: risk uncached p50 %.2f ms p99 %.2f ms (c=32; c=1: p50 %.2f p99 %.2f; paced 1000/s: %.0f req/s, p99 %.2f); network d2 uncached %.0f req/s p99 %.2f ms (c=32; paced 1000/s: %.0f req/s, p99 %.2f), cached %.0f req/s p99 %.2f ms (c=32); cached look-ups %.0f req/s p99 %.2f ms (c=32)\n",
		uncached.P50, uncached.P99, uncached1.P50, uncached1.P99, riskPaced.RPS, riskPaced.P99, net32.RPS, net32.P99, netPaced.RPS, netPaced.P99, netCached.RPS, netCached.P99, cached.RPS, cached.P99)

	// 3. Ranking top 100 by region: from the response cache, and from the
	// sorted sets (a distinct page makes every request a response-cache miss).
	regions := map[string]bool{}
	for _, k := range keys {
		if len(k) == 18 && k[0] == '9' {
			regions[k[2:4]+"0000"] = true
		}
	}
	var rl []string
	for r := range regions {
		rl = append(rl, r)
	}
	rankHot := filepath.Join(tmp, "rank-hot.txt")
	rankCold := filepath.Join(tmp, "rank-cold.txt")
	rankCold8 := filepath.Join(tmp, "rank-cold8.txt")
	var hotBuf, coldBuf, cold8Buf bytes.Buffer
	for i := 0; i < 200_000; i++ {
		r := rl[i%len(rl)]
		if i < len(rl) {
			fmt.Fprintf(&hotBuf, "/api/v1/ranking?region=%s&limit=100\n", r)
		}
		// A parameter the route does not declare is refused (400), so the
		// pages differ instead: offset and limit, each pair once.
		k := i / len(rl)
		fmt.Fprintf(&coldBuf, "/api/v1/ranking?region=%s&offset=%d&limit=%d\n", r, k%10_000, 100-k/10_000)
		fmt.Fprintf(&cold8Buf, "/api/v1/ranking?region=%s&offset=%d&limit=%d\n", r, k%10_000, 60-k/10_000)
	}
	_ = os.WriteFile(rankHot, hotBuf.Bytes(), 0o600)
	_ = os.WriteFile(rankCold, coldBuf.Bytes(), 0o600)
	_ = os.WriteFile(rankCold8, cold8Buf.Bytes(), 0o600)
	_, src := getJSONSource(b, base, admin, "/api/v1/ranking?region="+rl[0]+"&offset=1&limit=99")
	if src != "redis" {
		b.Errorf("ranking source %q, want redis", src)
	}
	load("ranking warm-up", "-paths", rankHot, "-once", "-c", "1", "-d", "30s")
	rankSets := load("ranking top100 region, sorted sets (c=1)", "-paths", rankCold, "-once", "-c", "1", "-d", "10s")
	load("ranking top100 region, sorted sets (c=8)", "-paths", rankCold8, "-once", "-c", "8", "-d", "10s")
	load("ranking top100 region, cached (c=8)", "-paths", rankHot, "-c", "8", "-d", "10s")
	b.ReportMetric(rankSets.P99, "ranking-p99-ms")
	fmt.Printf("API data: %d enterprises (%d rows), %d regions, rate limit %s per minute per key (Redis)\n", n, sum.Total.Accepted, len(rl), rateLimit)
}

func closeBody(r *http.Response) {
	if r != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
}

func waitFor(b *testing.B, ok func() bool, log *bytes.Buffer) {
	for i := 0; i < 6000; i++ { // 10 minutes
		if ok() {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.Fatalf("gave up waiting\n%s", log.String())
}

func postRun(b *testing.B, base, key string) string {
	req, _ := http.NewRequest("POST", base+"/api/v1/runs", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]string
	_ = json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != 202 {
		b.Fatalf("POST /runs: %d %v", resp.StatusCode, body)
	}
	return body["run"]
}

func runStatus(b *testing.B, base, key, id string) string {
	body, _ := getJSONSource(b, base, key, "/api/v1/runs/"+id)
	if body["status"] == store.RunFailed {
		b.Fatalf("run failed: %v", body)
	}
	s, _ := body["status"].(string)
	return s
}

func getJSONSource(b *testing.B, base, key, path string) (map[string]any, string) {
	req, _ := http.NewRequest("GET", base+path, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	src, _ := body["source"].(string)
	return body, src
}

// flushPrefix deletes the keys under prefix in the benchmark's Redis.
func flushPrefix(b *testing.B, url, prefix string) {
	r, err := cache.OpenRedis(context.Background(), url)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	ctx := context.Background()
	iter := r.Client().Scan(ctx, 0, prefix+"*", 10_000).Iterator()
	var batch []string
	for iter.Next(ctx) {
		if batch = append(batch, iter.Val()); len(batch) == 1000 {
			r.Client().Del(ctx, batch...)
			batch = batch[:0]
		}
	}
	if len(batch) > 0 {
		r.Client().Del(ctx, batch...)
	}
}
