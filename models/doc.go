// Package models holds riskgraph's domain types: enterprises, persons, the
// relationships between them, credit records, and the unified social credit
// code (GB 32100-2015). It depends on the standard library only.
package models
