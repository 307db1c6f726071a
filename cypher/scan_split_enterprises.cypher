// A partition bound of the scan's enterprises: the key at position $skip in
// key order (read from the unique index alone, no node is loaded).
// The scan splits its enterprises streams at such keys (store/neo4j/scan.go).
MATCH (e:Enterprise)
WHERE e.key > ''
WITH e.key AS k
ORDER BY k
SKIP $skip
LIMIT 1
RETURN k
