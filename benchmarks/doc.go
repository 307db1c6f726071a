// Package benchmarks holds riskgraph's reproducible benchmarks; results and
// the commands that produced them are in RESULTS.md. Run them with
// `make bench` (which starts Neo4j and Redis first).
package benchmarks
