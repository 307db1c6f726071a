// The change feed finds the HOLDS_SHARES relationships written after a
// generation by their stamp (store/neo4j/changes.go).
CREATE INDEX holds_gen IF NOT EXISTS
FOR ()-[r:HOLDS_SHARES]-() ON (r.gen)
