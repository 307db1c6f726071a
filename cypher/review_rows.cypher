// Replace the document (with its held rows) of pending match review
// entries: rows added by a load that named the same reference again.
UNWIND $rows AS row
MATCH (r:MatchReview {id: row.id})
WHERE r.status = 'pending'
SET r.doc = row.doc
