// One chunk of the scan: up to $limit persons after pid $after in pid
// order, as a single record: rows [internal id, properties], the number of
// rows and the last pid.
MATCH (p:Person)
WHERE p.pid > $after AND p.pid <= $upto
WITH p
ORDER BY p.pid
LIMIT $limit
RETURN collect([id(p), properties(p)]) AS rows, count(*) AS n, max(p.pid) AS last
