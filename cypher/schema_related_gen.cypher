// The change feed finds the RELATED_TO relationships written after a
// generation by their stamp (store/neo4j/changes.go).
CREATE INDEX related_gen IF NOT EXISTS
FOR ()-[r:RELATED_TO]-() ON (r.gen)
