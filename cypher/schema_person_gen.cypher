// The change feed finds the persons written after a generation by their
// stamp (store/neo4j/changes.go).
CREATE INDEX person_gen IF NOT EXISTS
FOR (n:Person) ON (n.gen)
