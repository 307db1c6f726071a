// The change feed finds the enterprises written after a generation by their
// stamp (store/neo4j/changes.go).
CREATE INDEX enterprise_gen IF NOT EXISTS
FOR (n:Enterprise) ON (n.gen)
