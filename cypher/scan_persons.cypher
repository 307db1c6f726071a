MATCH (p:Person)
WHERE p.pid > $after
RETURN p
ORDER BY p.pid
LIMIT $limit
