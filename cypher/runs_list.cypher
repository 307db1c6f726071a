// Runs, newest start first.
MATCH (r:Run)
RETURN properties(r) AS run
ORDER BY r.started DESC, r.id DESC
LIMIT $limit
