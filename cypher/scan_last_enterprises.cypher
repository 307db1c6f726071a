// The greatest key of the enterprises (from the unique index): the scan's upper
// bound for them; null when there are none.
MATCH (e:Enterprise)
WHERE e.key > ''
WITH e.key AS k
ORDER BY k DESC
LIMIT 1
RETURN k
