//go:build apibench

package benchmarks

// BenchmarkAPIUncachedAB compares two builds of `riskgraph serve` on the
// answers that are not in the response cache (issue 19 §3): the depth-2
// network and /risk of enterprises never asked before. Both servers run at
// once on the same Neo4j and Redis, and the loads alternate between them
// (A B, B A, A B, …) in the same minutes, so that a machine shared with
// other work loads both alike. Besides loadgen's req/s and percentiles it
// reports what is far less noisy on a shared machine: CPU seconds per
// 1 000 requests of the serving process and of Neo4j (utime + stime from
// /proc/<pid>/stat before and after each load). Run it with
// benchmarks/api.sh, setting
//
//	RISKGRAPH_API_BENCH_AB=<path of the other riskgraph binary>   (B; A is built from this tree)
//	RISKGRAPH_API_BENCH_NEO4J_PID=<pid of the Neo4j JVM>         (optional: Neo4j's CPU)
//	RISKGRAPH_API_BENCH_AB_ROUNDS=N                               (optional, default 3)
//	RISKGRAPH_NEO4J_REUSE=1                                       (keep a database that holds the sample)
//	RISKGRAPH_API_BENCH_AB_RATE=R                                 (optional: open loop, R requests per second
//	                                                               on schedule with up to 64 outstanding, instead of
//	                                                               32 connections in a closed loop)
//
// and -bench '^BenchmarkAPIUncachedAB$' in its arguments.

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"riskgraph/auth"
	"riskgraph/store"
	"riskgraph/store/neo4j/neo4jtest"
)

// processCPUSeconds is utime + stime of process pid, in seconds (Linux
// /proc/<pid>/stat, fields 14 and 15 in clock ticks of 1/100 s).
func processCPUSeconds(pid int) (float64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces: count from its ')'.
	s := string(raw)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(fields))
	}
	utime, err1 := strconv.ParseFloat(fields[11], 64)
	stime, err2 := strconv.ParseFloat(fields[12], 64)
	if err := cmp.Or(err1, err2); err != nil {
		return 0, err
	}
	return (utime + stime) / 100, nil
}

func loadAverage() string {
	raw, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// abServer is one serving process of the comparison.
type abServer struct {
	name string
	cmd  *exec.Cmd
	base string
	log  bytes.Buffer
}

// statusOf is the status of GET url with the API key, 0 on no answer.
func statusOf(url, key string) int {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	closeBody(resp)
	return resp.StatusCode
}

// stop ends the process (once).
func (s *abServer) stop() {
	if s.cmd.ProcessState == nil {
		_ = s.cmd.Process.Signal(os.Interrupt)
		_ = s.cmd.Wait()
	}
}

func startServe(b *testing.B, name, bin, dataDir, neo4jURI, database, redisURL string) *abServer {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	s := &abServer{name: name, base: "http://" + addr}
	s.cmd = exec.Command(bin, "--addr", addr, "--log-level", "warn", "--log-format", "json", "--data-dir", dataDir, "serve", "--rate-limit", "1000000000")
	s.cmd.Env = append(os.Environ(), "NEO4J_URI="+neo4jURI, "NEO4J_DATABASE="+database, "REDIS_URL="+redisURL, "RISKGRAPH_STORE=neo4j")
	s.cmd.Stderr = &s.log
	if err := s.cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.stop)
	waitFor(b, func() bool {
		resp, err := http.Get(s.base + "/readyz")
		ok := err == nil && resp.StatusCode == 200
		closeBody(resp)
		return ok
	}, &s.log)
	return s
}

func BenchmarkAPIUncachedAB(b *testing.B) {
	other := os.Getenv("RISKGRAPH_API_BENCH_AB")
	if other == "" {
		b.Skip("RISKGRAPH_API_BENCH_AB names the binary to compare with")
	}
	rounds := 3
	if n, err := strconv.Atoi(os.Getenv("RISKGRAPH_API_BENCH_AB_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	neoPID, _ := strconv.Atoi(os.Getenv("RISKGRAPH_API_BENCH_NEO4J_PID"))
	redisURL := cmp.Or(os.Getenv("REDIS_URL"), "redis://127.0.0.1:6379/0")
	nopts := neo4jtest.Options(b)
	st, dir := neo4jSample(b, apiSize())
	keys, err := sampleKeys(dir)
	if err != nil {
		b.Fatal(err)
	}
	tmp := b.TempDir()
	binA := goBuild(b, tmp, "riskgraph/cmd/riskgraph")
	loadgen := goBuild(b, tmp, "riskgraph/benchmarks/cmd/loadgen")
	admin, id, _ := auth.NewKey()
	if err := st.SaveKey(context.Background(), store.APIKey{ID: id, Name: "bench-ab", Role: string(auth.Admin), Hash: auth.Hash(admin), Created: time.Now()}); err != nil {
		b.Fatal(err)
	}
	flushPrefix(b, redisURL, "rg:")
	dataA, dataB := filepath.Join(tmp, "a"), filepath.Join(tmp, "b")
	for _, d := range []string{dataA, dataB, filepath.Join(tmp, "scorer")} {
		_ = os.MkdirAll(d, 0o700)
	}
	// Score through a serve of A that then stops, so that the two
	// servers compared start alike: each loads the completed run.
	scorer := startServe(b, "scorer", binA, filepath.Join(tmp, "scorer"), nopts.URI, nopts.Database, redisURL)
	run := postRun(b, scorer.base, admin)
	waitFor(b, func() bool { return runStatus(b, scorer.base, admin, run) == store.RunCompleted }, &scorer.log)
	// The rankings reach Redis after the run is marked completed: wait
	// for them (as BenchmarkAPI does), so no load races the publish.
	polls := 0
	waitFor(b, func() bool {
		polls++
		_, src := getJSONSource(b, scorer.base, admin, fmt.Sprintf("/api/v1/ranking?offset=%d&limit=7", polls))
		return src == "redis"
	}, &scorer.log)
	scorer.stop()
	a := startServe(b, "A (this tree)", binA, dataA, nopts.URI, nopts.Database, redisURL)
	bsrv := startServe(b, "B ("+other+")", other, dataB, nopts.URI, nopts.Database, redisURL)
	// Each restores the run's result in the background (/risk answers 503
	// until then): wait for both.
	for _, s := range []*abServer{a, bsrv} {
		waitFor(b, func() bool { return statusOf(s.base+"/api/v1/enterprises/"+keys[0]+"/risk", admin) == http.StatusOK }, &s.log)
	}
	time.Sleep(3 * time.Second) // versions and key caches settle

	// Each load asks its own slice of enterprises, never asked before,
	// after the first 1 000 (BenchmarkAPI's hot set).
	next := min(1000, len(keys)/10)
	per := (len(keys) - next) / (4 * rounds)
	// Warm both servers (connections, statement caches, JIT) on keys no
	// load asks.
	for _, s := range []*abServer{a, bsrv} {
		warm := make([]string, 0, 2*per/10)
		for _, k := range keys[next : next+per/10] {
			warm = append(warm, "/api/v1/enterprises/"+k+"/network?depth=2&limit=200", "/api/v1/enterprises/"+k+"/risk")
		}
		next += per / 10
		p := filepath.Join(tmp, "warm-"+strconv.Itoa(next)+".txt")
		if err := os.WriteFile(p, []byte(strings.Join(warm, "\n")+"\n"), 0o600); err != nil {
			b.Fatal(err)
		}
		if out, err := exec.Command(loadgen, "-base", s.base, "-key", admin, "-paths", p, "-once", "-c", "8", "-d", "20s").Output(); err != nil {
			b.Fatalf("warm %s: %v\n%s", s.name, err, out)
		}
	}
	per = (len(keys) - next) / (4 * rounds)
	slicePaths := func(name string, f func(string) string) string {
		p := filepath.Join(tmp, fmt.Sprintf("%s-%d.txt", name, next))
		var buf bytes.Buffer
		for _, k := range keys[next : next+per] {
			buf.WriteString(f(k) + "\n")
		}
		next += per
		if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
			b.Fatal(err)
		}
		return p
	}
	shape := []string{"-c", "32"}
	if r := os.Getenv("RISKGRAPH_API_BENCH_AB_RATE"); r != "" {
		shape = []string{"-rate", r, "-c", "64"}
	}
	type total struct{ requests, serveCPU, neoCPU, secs float64 }
	totals := map[string]*total{}
	load := func(s *abServer, what, paths string) {
		pid := s.cmd.Process.Pid
		s0, _ := processCPUSeconds(pid)
		n0, _ := processCPUSeconds(neoPID)
		t0 := time.Now()
		out, err := exec.Command(loadgen, append([]string{"-base", s.base, "-key", admin, "-paths", paths, "-once", "-d", "6s"}, shape...)...).Output()
		if err != nil {
			b.Fatalf("%s %s: loadgen: %v\n%s", s.name, what, err, out)
		}
		secs := time.Since(t0).Seconds()
		s1, _ := processCPUSeconds(pid)
		n1, _ := processCPUSeconds(neoPID)
		var r loadResult
		if err := json.Unmarshal(out, &r); err != nil {
			b.Fatalf("%s: %v: %s", what, err, out)
		}
		if r.Errors > 0 || r.Statuses["200"] != r.Requests || r.Cache["miss"] != r.Requests {
			b.Errorf("%s %s: errors %d, statuses %v, cache %v\n%s", s.name, what, r.Errors, r.Statuses, r.Cache, s.log.String())
		}
		k := what + " " + s.name
		if totals[k] == nil {
			totals[k] = &total{}
		}
		t := totals[k]
		t.requests += float64(r.Requests)
		t.serveCPU += s1 - s0
		t.neoCPU += n1 - n0
		t.secs += secs
		fmt.Printf("AB %-8s %-40s requests %6d  %6.0f req/s  p50 %6.2f ms  p99 %6.2f ms  serve %.2f s CPU/1000  neo4j %.2f s CPU/1000  load %s\n",
			what, s.name, r.Requests, r.RPS, r.P50, r.P99, (s1-s0)*1000/float64(r.Requests), (n1-n0)*1000/float64(r.Requests), loadAverage())
	}
	network := func(k string) string { return "/api/v1/enterprises/" + k + "/network?depth=2&limit=200" }
	risk := func(k string) string { return "/api/v1/enterprises/" + k + "/risk" }
	for _, what := range []struct {
		name string
		path func(string) string
	}{{"network", network}, {"risk", risk}} {
		for r := 0; r < rounds; r++ {
			order := []*abServer{a, bsrv}
			if r%2 == 1 {
				order = []*abServer{bsrv, a}
			}
			for _, s := range order {
				load(s, what.name, slicePaths(what.name, what.path))
			}
		}
		for _, s := range []*abServer{a, bsrv} {
			t := totals[what.name+" "+s.name]
			fmt.Printf("AB total %-8s %-40s %6.0f requests  %6.0f req/s  serve %.2f s CPU/1000  neo4j %.2f s CPU/1000\n",
				what.name, s.name, t.requests, t.requests/t.secs, t.serveCPU*1000/t.requests, t.neoCPU*1000/t.requests)
		}
	}
}
