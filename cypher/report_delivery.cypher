// Replace a report's delivery status; returns a row only when the report exists.
MATCH (r:Report {id: $id})
SET r.delivery = $delivery
RETURN r.id AS id
