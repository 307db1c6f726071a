package ingest

import (
	"testing"

	"riskgraph/store/neo4j/neo4jtest"
)

// TestNeo4jLicenceExport: the 双公示 export (GB18030) through the shipped
// mapping with matching on, into Neo4j — licences stored with every field,
// the holder named by name attached with its score, the namesake queued
// and written when accepted, the decision applied by a second load.
// Skipped without a server unless CI=true.
func TestNeo4jLicenceExport(t *testing.T) {
	testLicenceExportMatched(t, neo4jtest.Open(t))
}
