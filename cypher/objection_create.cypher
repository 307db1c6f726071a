// File an open objection unless its record has one open already (then no
// row is returned); the constraint on id refuses one that exists.
OPTIONAL MATCH (x:Objection {record_id: $record_id, status: 'open'})
WITH count(x) AS open
WHERE open = 0
CREATE (o:Objection {id: $id})
SET o.record_id = $record_id, o.status = 'open', o.filed = $filed, o.body = $body
RETURN o.id AS id
