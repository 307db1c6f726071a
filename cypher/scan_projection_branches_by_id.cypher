// One chunk of the projection scan's branch links read by internal id (as
// scan_projection_holdings_by_id): rows
//   [3, branch, head office]
MATCH (e)-[r:BRANCH_OF]->(p)
WHERE id(r) IN range($lo, $hi)
RETURN collect([3, id(e), id(p)]) AS rows
