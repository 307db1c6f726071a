// The change feed's persons: up to $limit persons stamped after generation
// $since (index person_gen), as one record listing the rows of
// scan_projection_persons.
MATCH (p:Person)
WHERE p.gen > $since
WITH p
LIMIT $limit
RETURN collect([id(p), p.pid, p.placeholder, p.risk_score, p.risk_flags]) AS rows
