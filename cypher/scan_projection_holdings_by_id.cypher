// One chunk of the projection scan's shareholdings read by internal id:
// the HOLDS_SHARES relationships whose ids lie in [$lo, $hi] (a seek by id
// per id, no expansion from a node), as a single record listing rows
//   [0, start, end, ratio, since]
// as scan_projection_relationships gives them (start and end are internal
// ids). The scan puts them in enterprise key order itself.
MATCH (x)-[r:HOLDS_SHARES]->(e)
WHERE id(r) IN range($lo, $hi)
RETURN collect([0, id(x), id(e), r.ratio, r.since]) AS rows
