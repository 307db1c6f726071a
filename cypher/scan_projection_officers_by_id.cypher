// One chunk of the projection scan's officers read by internal id (as
// scan_projection_holdings_by_id): rows
//   [2, start, end, title, since, until]
MATCH (x)-[r:OFFICER_OF]->(e)
WHERE id(r) IN range($lo, $hi)
RETURN collect([2, id(x), id(e), r.title, r.since, r.until]) AS rows
