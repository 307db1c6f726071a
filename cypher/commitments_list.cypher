// Credit commitments of one subject (every subject when $subject is ''),
// by date, then id.
MATCH (c:Commitment)
WHERE $subject = '' OR c.subject = $subject
RETURN c.body AS body
ORDER BY c.date, c.id
