// One chunk of the scan: up to $limit records after id $after in id order,
// as a single record: rows [internal id, properties, subject's internal id
// or null], the number of rows and the last id.
MATCH (r:Record)
WHERE r.id > $after AND r.id <= $upto
WITH r
ORDER BY r.id
LIMIT $limit
RETURN collect([id(r), properties(r), [(s)-[:HAS_RECORD]->(r) | id(s)][0]]) AS rows,
  count(*) AS n, max(r.id) AS last
