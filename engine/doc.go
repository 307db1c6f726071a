// Package engine is riskgraph's risk engine. It projects the graph held by a
// store into compact CSR arrays (Project), computes every entity's intrinsic
// and propagated risk with exact per-record explanations, grades, integrated
// ownership, beneficial owners and actual controllers, anomaly flags and
// groups, and writes the results back with a run history.
//
// Every formula and default parameter is documented in docs/risk-model.md.
// Nothing here reads the wall clock: "today" is a parameter of every run.
package engine
