// Package ingest brings data into riskgraph: it reads files of enterprises,
// persons, their relationships and credit records, validates every row,
// converts rows to models and writes them to a store in batches, reporting
// each refused row with its file, line, field, reason and fix.
//
// The canonical layout (docs/data-format.md) is a directory of UTF-8 CSV
// files, one per kind: enterprises.csv, persons.csv, shareholdings.csv,
// legal_reps.csv, officers.csv, branches.csv, records.csv, relations.csv
// and licences.csv. LoadDir and LoadFiles read it; Rows is the seam where
// readers of other encodings and layouts plug in.
//
// The synthetic data generator, which writes this layout for demos, tests
// and benchmarks, is package synth.
package ingest
