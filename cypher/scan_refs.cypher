// The nodes behind internal ids that a scan met in a relationship but not
// in its node chunks: internal id, key or pid, and whether it is a person.
UNWIND $ids AS i
MATCH (n)
WHERE id(n) = i AND (n:Enterprise OR n:Person)
RETURN i, coalesce(n.key, n.pid) AS key, n:Person AS person
