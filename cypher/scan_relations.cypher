// One chunk of the relation scan (Scan and ScanProjection alike): the
// RELATED_TO relations that start at up to $limit persons after pid $after
// in pid order, as a single record: one list per relation,
//   [4, start, end, kind, since]
// (start and end are internal ids) then the number of persons and the
// last pid.
MATCH (p:Person)
WHERE p.pid > $after AND p.pid <= $upto
WITH p
ORDER BY p.pid
LIMIT $limit
WITH collect(p) AS ps, count(*) AS n, max(p.pid) AS last
RETURN COLLECT {
    UNWIND ps AS p
    MATCH (p)-[r:RELATED_TO]->(q:Person)
    RETURN [4, id(p), id(q), r.kind, r.since] AS row
  } AS rows, n, last
