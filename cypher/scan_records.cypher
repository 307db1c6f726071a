// Records in id order, each with its subject.
MATCH (r:Record)
WHERE r.id > $after
WITH r
ORDER BY r.id
LIMIT $limit
RETURN r, [(s)-[:HAS_RECORD]->(r) | {person: s:Person, key: coalesce(s.key, s.pid)}][0] AS subject
