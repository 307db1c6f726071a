// Record an objection's decision: its status and its body as decided.
MATCH (o:Objection {id: $id})
SET o.status = $status, o.body = $body
RETURN o.id AS id
