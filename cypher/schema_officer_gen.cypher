// The change feed finds the OFFICER_OF relationships written after a
// generation by their stamp (store/neo4j/changes.go).
CREATE INDEX officer_gen IF NOT EXISTS
FOR ()-[r:OFFICER_OF]-() ON (r.gen)
