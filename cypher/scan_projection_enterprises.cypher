// One chunk of the projection scan: up to $limit enterprises after key
// $after in key order, as a single record: positional rows of only what the
// engine's projection reads,
//   [internal id, key, kind, status, established, region, industry,
//    address, phone, email, placeholder, risk_score, risk_flags]
// then the number of rows and the last key.
MATCH (e:Enterprise)
WHERE e.key > $after
WITH e
ORDER BY e.key
LIMIT $limit
RETURN collect([id(e), e.key, e.kind, e.status, e.established, e.region, e.industry,
    e.address, e.phone, e.email, e.placeholder, e.risk_score, e.risk_flags]) AS rows,
  count(*) AS n, max(e.key) AS last
