// Command scanprof times statements of the projection scan over a loaded
// database: each -q statement runs over consecutive ranges [$lo, $hi] of
// internal ids from 0 to -max in steps of -chunk (or once, without -max),
// on -c sessions, and the wall time, the client's and the server's CPU
// are printed. A scratch tool of issue 19 §2 (wt-scan).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

func cpu(pid int) float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(raw)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	u, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (u + st) / 100
}

func selfCPU() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func main() {
	q := flag.String("q", "", "query")
	profile := flag.Bool("profile", false, "PROFILE (single run)")
	maxID := flag.Int64("max", -1, "highest id")
	minID := flag.Int64("min", 0, "lowest id")
	chunk := flag.Int64("chunk", 20000, "ids per statement")
	conc := flag.Int("c", 1, "sessions")
	reps := flag.Int("n", 1, "repetitions")
	pid := flag.Int("pid", 0, "neo4j pid")
	keyset := flag.Int("keyset", 0, "keyset pagination: chunks of this many keys ($after, $upto, $limit; the statement returns rows, n, last)")
	flag.Parse()
	ctx := context.Background()
	d, err := driver.NewDriverWithContext(os.Getenv("NEO4J_URI"), driver.NoAuth())
	if err != nil {
		panic(err)
	}
	defer d.Close(ctx)
	query := *q
	if *profile {
		query = "PROFILE " + query
	}
	run := func(s driver.SessionWithContext, params map[string]any) (int, driver.ResultSummary) {
		res, err := s.Run(ctx, query, params)
		if err != nil {
			panic(err)
		}
		n := 0
		for res.Next(ctx) {
			if *maxID < 0 && n < 5 {
				v := fmt.Sprint(res.Record().Values)
				if len(v) > 300 {
					v = v[:300]
				}
				fmt.Println(v)
			}
			for _, v := range res.Record().Values {
				if l, ok := v.([]any); ok {
					n += len(l)
				}
			}
		}
		if err := res.Err(); err != nil {
			panic(err)
		}
		sum, _ := res.Consume(ctx)
		return n, sum
	}
	for rep := 0; rep < *reps; rep++ {
		c0, s0, t0 := selfCPU(), cpu(*pid), time.Now()
		var items atomic.Int64
		var sum driver.ResultSummary
		if *keyset > 0 {
			s := d.NewSession(ctx, driver.SessionConfig{})
			after := ""
			for {
				res, err := s.Run(ctx, query, map[string]any{"after": after, "upto": "\uffff", "limit": *keyset})
				if err != nil {
					panic(err)
				}
				rec, err := res.Single(ctx)
				if err != nil {
					panic(err)
				}
				rows, _ := rec.Values[0].([]any)
				items.Add(int64(len(rows)))
				n, _ := rec.Values[1].(int64)
				after, _ = rec.Values[2].(string)
				if n < int64(*keyset) {
					break
				}
			}
			s.Close(ctx)
		} else if *maxID < 0 {
			s := d.NewSession(ctx, driver.SessionConfig{})
			n, sm := run(s, nil)
			items.Add(int64(n))
			sum = sm
			s.Close(ctx)
		} else {
			var next atomic.Int64
			next.Store(*minID)
			var wg sync.WaitGroup
			for w := 0; w < *conc; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					s := d.NewSession(ctx, driver.SessionConfig{})
					defer s.Close(ctx)
					for {
						lo := next.Add(*chunk) - *chunk
						if lo > *maxID {
							return
						}
						n, _ := run(s, map[string]any{"lo": lo, "hi": lo + *chunk - 1})
						items.Add(int64(n))
					}
				}()
			}
			wg.Wait()
		}
		wall := time.Since(t0).Seconds()
		fmt.Printf("wall %.3f s  client %.3f s  server %.3f s  items %d  load %s\n", wall, selfCPU()-c0, cpu(*pid)-s0, items.Load(), loadavg())
		if p := sum; p != nil && p.Profile() != nil {
			var walk func(p driver.ProfiledPlan, depth int)
			walk = func(p driver.ProfiledPlan, depth int) {
				fmt.Printf("%s%s rows=%d dbhits=%d %v\n", strings.Repeat("  ", depth), p.Operator(), p.Records(), p.DbHits(), p.Arguments()["Details"])
				for _, c := range p.Children() {
					walk(c, depth+1)
				}
			}
			walk(p.Profile(), 0)
		}
	}
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	return strings.Join(f[:3], " ")
}
