// The change feed finds the records written after a generation by their
// stamp (store/neo4j/changes.go).
CREATE INDEX record_gen IF NOT EXISTS
FOR (n:Record) ON (n.gen)
