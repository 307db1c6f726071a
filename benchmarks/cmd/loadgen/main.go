// Command loadgen is riskgraph's HTTP load generator for the API
// benchmarks: it sends GET requests for the paths in a file (one per line,
// taken in order and cycled unless -once), from -c concurrent keep-alive
// connections, for -d or until -n requests, and prints one JSON line:
// requests, errors, statuses, throughput and latency percentiles.
//
//	loadgen -base http://127.0.0.1:8080 -paths paths.txt -key $KEY -c 32 -d 10s
//
// With -rate R the load is an open loop instead (pace.go): request n is
// sent at n/R seconds, on whichever of the -c connections is free, and its
// latency counts from then; -c bounds how many may be outstanding.
//
// Against an http:// base it speaks HTTP/1.1 itself (raw.go): each
// connection writes a request prepared once per path and reads the whole
// answer (status line, headers, body by Content-Length or chunks), which
// takes less than half the CPU of net/http's client per request (0.7 s
// against 1.6 s for 60 000 requests of 1.5 kB, mostly the read and write
// system calls) — on a machine where the server and the load generator
// share the cores, that CPU goes to the server. -client nethttp uses
// net/http's client as before.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type result struct {
	Requests  int            `json:"requests"`
	Errors    int            `json:"errors"`
	Statuses  map[string]int `json:"statuses"`
	Seconds   float64        `json:"seconds"`
	PerSecond float64        `json:"rps"`
	P50ms     float64        `json:"p50_ms"`
	P90ms     float64        `json:"p90_ms"`
	P99ms     float64        `json:"p99_ms"`
	Maxms     float64        `json:"max_ms"`
	Cache     map[string]int `json:"x_cache"`
}

func main() {
	base := flag.String("base", "http://127.0.0.1:8080", "server base URL")
	pathsFile := flag.String("paths", "", "file of request paths, one per line")
	key := flag.String("key", "", "API key (Authorization: Bearer)")
	conc := flag.Int("c", 16, "concurrent connections")
	dur := flag.Duration("d", 10*time.Second, "duration")
	max := flag.Int("n", 0, "stop after this many requests (0: no limit)")
	once := flag.Bool("once", false, "send each path at most once")
	gz := flag.Bool("gzip", false, "send Accept-Encoding: gzip, as browsers do (the body is read as sent, not decompressed)")
	clientKind := flag.String("client", "raw", "raw (HTTP/1.1 written and read by loadgen, http:// only) or nethttp (net/http's client)")
	rate := flag.Float64("rate", 0, "open loop: send this many requests per second on schedule, latency counted from each one's due time (0: closed loop, each connection sends when it has its answer)")
	flag.Parse()
	paths, err := readPaths(*pathsFile)
	if err != nil || len(paths) == 0 {
		fmt.Fprintln(os.Stderr, "loadgen: -paths:", err, len(paths))
		os.Exit(2)
	}
	limit := int64(*max)
	if *once && (limit == 0 || limit > int64(len(paths))) {
		limit = int64(len(paths))
	}
	if *clientKind == "raw" && strings.HasPrefix(*base, "http://") {
		runRaw(*base, paths, *key, *gz, *conc, *dur, limit, *rate)
		return
	}
	tr := &http.Transport{MaxIdleConns: *conc, MaxIdleConnsPerHost: *conc, MaxConnsPerHost: *conc, DisableCompression: true}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), *dur)
	defer cancel()
	var next atomic.Int64
	start := time.Now()
	pace := newPacer(start, start.Add(*dur), *rate)
	runWorkers(*conc, func(w *tally) {
		for ctx.Err() == nil {
			n := next.Add(1) - 1
			if limit > 0 && n >= limit {
				return
			}
			t, ok := pace.wait(n)
			if !ok {
				return
			}
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, *base+paths[n%int64(len(paths))], nil)
			if *key != "" {
				req.Header.Set("Authorization", "Bearer "+*key)
			}
			if *gz {
				req.Header.Set("Accept-Encoding", "gzip")
			}
			resp, err := client.Do(req)
			if err != nil {
				if ctx.Err() == nil {
					w.errs++
				}
				continue
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			w.lat = append(w.lat, time.Since(t))
			w.statuses[fmt.Sprint(resp.StatusCode)]++
			if c := resp.Header.Get("X-Cache"); c != "" {
				w.cache[c]++
			}
		}
	})
}

// report sorts the latencies, fills in the figures and prints r.
func report(r result, all []time.Duration, elapsed time.Duration) {
	slices.Sort(all)
	r.Requests = len(all)
	r.PerSecond = float64(len(all)) / elapsed.Seconds()
	pct := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		return float64(all[min(len(all)-1, int(p*float64(len(all))))].Microseconds()) / 1000
	}
	r.P50ms, r.P90ms, r.P99ms = pct(0.50), pct(0.90), pct(0.99)
	if len(all) > 0 {
		r.Maxms = float64(all[len(all)-1].Microseconds()) / 1000
	}
	_ = json.NewEncoder(os.Stdout).Encode(r)
}

func readPaths(name string) ([]string, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); l != "" {
			out = append(out, l)
		}
	}
	return out, sc.Err()
}

// tally is what one connection's worker counts.
type tally struct {
	lat      []time.Duration
	errs     int
	statuses map[string]int
	cache    map[string]int // by X-Cache
}

func newTally() *tally { return &tally{statuses: map[string]int{}, cache: map[string]int{}} }

// reportTallies adds up the workers' tallies and prints the result.
func reportTallies(ws []*tally, elapsed time.Duration) {
	r := result{Statuses: map[string]int{}, Cache: map[string]int{}, Seconds: elapsed.Seconds()}
	var all []time.Duration
	for _, w := range ws {
		all = append(all, w.lat...)
		r.Errors += w.errs
		for k, v := range w.statuses {
			r.Statuses[k] += v
		}
		for k, v := range w.cache {
			r.Cache[k] += v
		}
	}
	report(r, all, elapsed)
}

// runWorkers runs conc workers at once, each counting into a tally of its
// own, and reports them all once every worker has returned.
func runWorkers(conc int, work func(w *tally)) {
	ws := make([]*tally, conc)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range ws {
		ws[i] = newTally()
		wg.Add(1)
		go func(w *tally) {
			defer wg.Done()
			work(w)
		}(ws[i])
	}
	wg.Wait()
	reportTallies(ws, time.Since(start))
}
