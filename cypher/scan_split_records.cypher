// A partition bound of the scan's records: the id at position $skip in
// id order (read from the unique index alone, no node is loaded).
// The scan splits its records streams at such keys (store/neo4j/scan.go).
MATCH (r:Record)
WHERE r.id > ''
WITH r.id AS k
ORDER BY k
SKIP $skip
LIMIT 1
RETURN k
