// Command readcost measures Neo4j's CPU per single-enterprise read, the
// store call behind an uncached /risk (cypher/enterprise_get.cypher),
// against other shapes of the same read, against a statement that reads
// nothing (RETURN 1: what an auto-commit query costs the server before it
// touches the graph), and against the two reads of the data version
// (generation_get, runs_list) each replica makes once per VersionTTL.
// Each shape runs -n times at -c concurrent sessions over keys from a file
// (one per line), in the order A B C … C B A; Neo4j's CPU is read from
// /proc/<pid>/stat around each run.
//
//	go build -o /tmp/readcost ./benchmarks/cmd/readcost
//	NEO4J_URI=bolt://127.0.0.1:7699 /tmp/readcost -neo4j-pid PID -keys keys.txt
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// shapes are the statements compared, by name.
var shapes = []struct{ name, query string }{
	{"nothing", "RETURN 1 AS e"},
	{"enterprise_get", "OPTIONAL MATCH (byKey:Enterprise {key: $key})\nOPTIONAL MATCH (byCode:Enterprise {uscc: $key})\nWITH coalesce(byKey, byCode) AS e\nWHERE e IS NOT NULL\nRETURN properties(e) AS e"},
	{"key only", "MATCH (e:Enterprise {key: $key}) RETURN properties(e) AS e"},
	{"key, else uscc", "OPTIONAL MATCH (byKey:Enterprise {key: $key})\nOPTIONAL CALL (byKey) {\n  WITH byKey WHERE byKey IS NULL\n  MATCH (byCode:Enterprise {uscc: $key})\n  RETURN byCode\n}\nWITH coalesce(byKey, byCode) AS e\nWHERE e IS NOT NULL\nRETURN properties(e) AS e"},
	{"generation_get", "OPTIONAL MATCH (n:Meta {id: 'generation-next'})\nOPTIONAL MATCH (x:Meta) WHERE x.id STARTS WITH 'generation-'\nWITH n, coalesce(sum(x.generation), 0) AS base\nRETURN coalesce(n.next, base) AS generation"},
	{"runs_list", "MATCH (r:Run)\nRETURN properties(r) AS run\nORDER BY r.started DESC, r.id DESC\nLIMIT 50"},
	{"union", "CALL () { MATCH (e:Enterprise {key: $key}) RETURN e UNION MATCH (e:Enterprise {uscc: $key}) RETURN e } RETURN properties(e) AS e LIMIT 1"},
}

// cpuSeconds is utime + stime of pid (clock ticks of 1/100 s).
func cpuSeconds(pid int) float64 {
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

func main() {
	pid := flag.Int("neo4j-pid", 0, "the Neo4j server's process id")
	keysFile := flag.String("keys", "", "file of enterprise keys, one per line")
	n := flag.Int("n", 3000, "reads per shape and run")
	conc := flag.Int("c", 8, "concurrent sessions")
	flag.Parse()
	raw, err := os.ReadFile(*keysFile)
	if err != nil || *pid == 0 {
		fmt.Fprintln(os.Stderr, "readcost: give -neo4j-pid and -keys:", err)
		os.Exit(2)
	}
	keys := strings.Fields(string(raw))
	ctx := context.Background()
	d, err := driver.NewDriverWithContext(cmp.Or(os.Getenv("NEO4J_URI"), "bolt://127.0.0.1:7687"), driver.NoAuth())
	if err != nil {
		fmt.Fprintln(os.Stderr, "readcost:", err)
		os.Exit(1)
	}
	defer d.Close(ctx)
	order := append(slices.Clone(shapes), shapes...)
	slices.Reverse(order[len(shapes):])
	next := 0
	for _, sh := range order {
		var done atomic.Int64
		c0, t0 := cpuSeconds(*pid), time.Now()
		var wg sync.WaitGroup
		for range *conc {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := done.Add(1); k <= int64(*n); k = done.Add(1) {
					s := d.NewSession(ctx, driver.SessionConfig{AccessMode: driver.AccessModeRead, DatabaseName: os.Getenv("NEO4J_DATABASE")})
					if res, err := s.Run(ctx, sh.query, map[string]any{"key": keys[(next+int(k))%len(keys)]}); err == nil {
						for res.Next(ctx) {
						}
					}
					_ = s.Close(ctx)
				}
			}()
		}
		wg.Wait()
		next += *n
		load, _ := os.ReadFile("/proc/loadavg")
		fmt.Printf("%-15s %5d reads  %6.0f/s  neo4j %.3f ms CPU per read  load %s\n", sh.name, *n,
			float64(*n)/time.Since(t0).Seconds(), (cpuSeconds(*pid)-c0)*1000/float64(*n), strings.Fields(string(load))[0])
	}
}
