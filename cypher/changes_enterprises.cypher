// The change feed's enterprises: up to $limit enterprises stamped after
// generation $since (index enterprise_gen), as one record listing the rows
// of scan_projection_enterprises.
MATCH (e:Enterprise)
WHERE e.gen > $since
WITH e
LIMIT $limit
WITH e, properties(e) AS p
RETURN collect([id(e), p.key, p.kind, p.status, p.established, p.region, p.industry,
    p.address, p.phone, p.email, p.placeholder, p.risk_score, p.risk_flags]) AS rows
