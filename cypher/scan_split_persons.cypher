// A partition bound of the scan's persons: the pid at position $skip in
// pid order (read from the unique index alone, no node is loaded).
// The scan splits its persons streams at such keys (store/neo4j/scan.go).
MATCH (p:Person)
WHERE p.pid > ''
WITH p.pid AS k
ORDER BY k
SKIP $skip
LIMIT 1
RETURN k
