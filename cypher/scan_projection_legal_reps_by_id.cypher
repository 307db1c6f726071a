// One chunk of the projection scan's legal representatives read by
// internal id (as scan_projection_holdings_by_id): rows
//   [1, start, end, title, since, until]
MATCH (x)-[r:LEGAL_REP_OF]->(e)
WHERE id(r) IN range($lo, $hi)
RETURN collect([1, id(x), id(e), r.title, r.since, r.until]) AS rows
