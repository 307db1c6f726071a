// The greatest pid of the persons (from the unique index): the scan's upper
// bound for them; null when there are none.
MATCH (p:Person)
WHERE p.pid > ''
WITH p.pid AS k
ORDER BY k DESC
LIMIT 1
RETURN k
