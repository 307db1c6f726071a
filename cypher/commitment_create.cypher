// Create a credit commitment; the constraint on id refuses one that
// exists. The body is the commitment's JSON; subject and date are kept
// beside it for look-ups and order.
CREATE (c:Commitment {id: $id})
SET c.subject = $subject, c.date = $date, c.body = $body
