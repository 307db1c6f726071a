// The greatest id of the records (from the unique index): the scan's upper
// bound for them; null when there are none.
MATCH (r:Record)
WHERE r.id > ''
WITH r.id AS k
ORDER BY k DESC
LIMIT 1
RETURN k
