// Record a repair unless its record was repaired already (then no row is
// returned); the constraints on id and record_id refuse duplicates.
OPTIONAL MATCH (x:Repair {record_id: $record_id})
WITH count(x) AS done
WHERE done = 0
CREATE (r:Repair {id: $id})
SET r.record_id = $record_id, r.body = $body
RETURN r.id AS id
