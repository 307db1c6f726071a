// Package synth is the synthetic data generator: Generate writes a data set
// of enterprises, persons, their relationships and credit records in the
// canonical layout that package ingest reads (docs/data-format.md), with
// anomalies planted at known places and listed in a ground-truth file
// (GroundTruth, ReadGroundTruth). The demo, the tests of the engine, report
// and server, and the benchmarks use it; the same options and seed always
// give the same bytes.
//
// synth imports only models: the layout's file names and headers are
// repeated in layout.go and held equal to ingest's by a test.
package synth
