// The change feed finds the BRANCH_OF relationships written after a
// generation by their stamp (store/neo4j/changes.go).
CREATE INDEX branch_gen IF NOT EXISTS
FOR ()-[r:BRANCH_OF]-() ON (r.gen)
