// Keyset pagination in key order.
MATCH (e:Enterprise)
WHERE e.key > $after
RETURN e
ORDER BY e.key
LIMIT $limit
