// Reports, newest first, then by id.
MATCH (r:Report)
RETURN properties(r) AS report
ORDER BY r.created DESC, r.id
LIMIT $limit
