// Command expandprof times Cypher statements of the Expand shape (cypher/expand_*.cypher)
// on the frontiers a depth-2 network asks, and prints each one's PROFILE plan: the
// depth-1 neighbours of 60 enterprises of the loaded database, each frontier asked twice
// (the second pass timed). Statements whose text names ":Person {pid" get the frontiers'
// persons, the others their enterprises. Run it against a database loaded by
// benchmarks/api.sh (NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD), holding the test database's lock:
//
//	go build -o /tmp/expandprof ./benchmarks/cmd/expandprof
//	flock /tmp/rg-neo4j.lock /tmp/expandprof cypher/expand_enterprise.cypher other.cypher
package main

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

func main() {
	ctx := context.Background()
	auth := neo4j.NoAuth()
	if u := os.Getenv("NEO4J_USER"); u != "" {
		auth = neo4j.BasicAuth(u, os.Getenv("NEO4J_PASSWORD"), "")
	}
	d, err := neo4j.NewDriverWithContext(os.Getenv("NEO4J_URI"), auth)
	if err != nil {
		panic(err)
	}
	defer d.Close(ctx)
	sess := d.NewSession(ctx, neo4j.SessionConfig{})
	defer sess.Close(ctx)
	// 60 roots; each one's depth-1 frontier (what the second Expand of a depth-2 network asks)
	res, err := sess.Run(ctx, "MATCH (n:Enterprise) WITH n SKIP 1000 LIMIT 60 MATCH (n)-[]-(m) WITH n, collect(DISTINCT m) AS ms RETURN n.key, [x IN ms WHERE x:Enterprise | x.key], [x IN ms WHERE x:Person | x.pid]", nil)
	if err != nil {
		panic(err)
	}
	type frontier struct{ ents, pers []any }
	var fs []frontier
	for res.Next(ctx) {
		r := res.Record()
		fs = append(fs, frontier{append([]any{r.Values[0]}, r.Values[1].([]any)...), r.Values[2].([]any)})
	}
	if len(fs) == 0 {
		fmt.Fprintln(os.Stderr, "expandprof: the database holds no enterprises with relationships; load one first (benchmarks/api.sh)")
		os.Exit(1)
	}
	for _, q := range os.Args[1:] {
		b, _ := os.ReadFile(q)
		stmt := string(b)
		person := strings.Contains(stmt, ":Person {pid")
		var times []time.Duration
		rows, recs := 0, 0
		for rep := 0; rep < 2; rep++ {
			for _, f := range fs {
				keys := f.ents
				if person {
					keys = f.pers
				}
				t := time.Now()
				res, err := sess.Run(ctx, stmt, map[string]any{"keys": keys, "types": []any{}})
				if err != nil {
					panic(err)
				}
				for res.Next(ctx) {
					rows++
					if l, ok := res.Record().Values[len(res.Record().Values)-1].([]any); ok {
						recs += len(l)
					} else {
						recs++
					}
				}
				if _, err := res.Consume(ctx); err != nil {
					panic(err)
				}
				if rep == 1 {
					times = append(times, time.Since(t))
				}
			}
		}
		sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
		var sum time.Duration
		for _, t := range times {
			sum += t
		}
		fmt.Printf("%s: %d frontiers, rows %d, relationships %d; mean %v p50 %v max %v\n", q, len(times), rows/2, recs/2, sum/time.Duration(len(times)), times[len(times)/2], times[len(times)-1])
		pk := fs[0].ents
		if person {
			pk = fs[0].pers
		}
		res, err := sess.Run(ctx, "PROFILE "+stmt, map[string]any{"keys": pk, "types": []any{}})
		if err == nil {
			for res.Next(ctx) {
			}
			if sum, err := res.Consume(ctx); err == nil {
				printPlan(sum.Profile(), 1)
			}
		}
	}
}

func printPlan(p neo4j.ProfiledPlan, depth int) {
	if p == nil {
		return
	}
	fmt.Printf("%s%s rows=%d dbHits=%d %v\n", strings.Repeat("  ", depth), p.Operator(), p.Records(), p.DbHits(), p.Arguments()["Details"])
	for _, c := range p.Children() {
		printPlan(c, depth+1)
	}
}
