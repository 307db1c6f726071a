// One chunk of the projection scan: up to $limit enterprises after key
// $after in key order, as a single record: positional rows of only what the
// engine's projection reads,
//   [internal id, key, kind, status, established, region, industry,
//    address, phone, email, placeholder, risk_score, risk_flags]
// then the number of rows and the last key. The properties are read once
// as a map and picked from it: reading each from the node walks the
// node's property chain again (15 % more server CPU on this statement).
MATCH (e:Enterprise)
WHERE e.key > $after AND e.key <= $upto
WITH e
ORDER BY e.key
LIMIT $limit
WITH e, properties(e) AS p
RETURN collect([id(e), p.key, p.kind, p.status, p.established, p.region, p.industry,
    p.address, p.phone, p.email, p.placeholder, p.risk_score, p.risk_flags]) AS rows,
  count(*) AS n, max(p.key) AS last
