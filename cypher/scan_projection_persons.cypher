// One chunk of the projection scan: up to $limit persons after pid $after
// in pid order, as a single record: positional rows
//   [internal id, pid, placeholder, risk_score, risk_flags]
// then the number of rows and the last pid.
MATCH (p:Person)
WHERE p.pid > $after AND p.pid <= $upto
WITH p
ORDER BY p.pid
LIMIT $limit
RETURN collect([id(p), p.pid, p.placeholder, p.risk_score, p.risk_flags]) AS rows,
  count(*) AS n, max(p.pid) AS last
