// The change feed's records: up to $limit records stamped after generation
// $since (index record_gen), as one record listing the rows of
// scan_projection_records.
MATCH (r:Record)
WHERE r.gen > $since
WITH r
LIMIT $limit
RETURN collect([id(r), [(s)-[:HAS_RECORD]->(r) | id(s)][0], r.id, r.kind, r.severity,
    r.decided, r.removed]) AS rows
