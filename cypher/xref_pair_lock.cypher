// Take the write lock of an xref pair for a decision and read its status
// (the transaction then holds the lock, so two decisions on one pair are
// serialised).
MATCH (p:XrefPair {id: $id})
SET p.lock = coalesce(p.lock, 0) + 1
RETURN p.status AS status
