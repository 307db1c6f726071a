// One chunk of the projection scan: up to $limit records after id $after in
// id order, as a single record: positional rows
//   [internal id, subject's internal id or null, id, kind, severity, decided, removed]
// then the number of rows and the last id.
MATCH (r:Record)
WHERE r.id > $after AND r.id <= $upto
WITH r
ORDER BY r.id
LIMIT $limit
RETURN collect([id(r), [(s)-[:HAS_RECORD]->(r) | id(s)][0], r.id, r.kind, r.severity,
    r.decided, r.removed]) AS rows,
  count(*) AS n, max(r.id) AS last
