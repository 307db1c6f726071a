// Take the write lock of an objection for a decision and read it (the
// transaction then holds the lock, so two decisions are serialised).
MATCH (o:Objection {id: $id})
SET o.lock = coalesce(o.lock, 0) + 1
RETURN o.body AS body
