// One chunk of the projection scan's person-to-person relations read by
// internal id (as scan_projection_holdings_by_id): rows
//   [4, start, end, kind, since]
// as scan_relations gives them. The scan puts them in pid order itself.
MATCH (p)-[r:RELATED_TO]->(q)
WHERE id(r) IN range($lo, $hi)
RETURN collect([4, id(p), id(q), r.kind, r.since]) AS rows
