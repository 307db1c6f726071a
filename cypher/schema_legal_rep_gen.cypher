// The change feed finds the LEGAL_REP_OF relationships written after a
// generation by their stamp (store/neo4j/changes.go).
CREATE INDEX legal_rep_gen IF NOT EXISTS
FOR ()-[r:LEGAL_REP_OF]-() ON (r.gen)
