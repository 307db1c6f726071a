// Audit entries matching the optional filters, newest (highest id) first.
MATCH (a:AuditEntry)
WHERE ($key_id IS NULL OR a.key_id = $key_id)
  AND ($entity IS NULL OR a.entity = $entity)
  AND ($route IS NULL OR a.route = $route)
  AND ($since IS NULL OR a.time >= $since)
  AND ($until IS NULL OR a.time < $until)
  AND ($before IS NULL OR a.id < $before)
RETURN properties(a) AS entry
ORDER BY a.id DESC
LIMIT $limit
