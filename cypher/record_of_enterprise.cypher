// Upsert records whose subject is an enterprise. Every property is replaced
// (null removes it); a record whose subject changed loses its old HAS_RECORD.
UNWIND $rows AS row
MERGE (s:Enterprise {key: row.subject})
  ON CREATE SET s.placeholder = true, s.gen = $gen
MERGE (r:Record {id: row.id})
SET r.gen = $gen,
    r.kind = row.kind,
    r.severity = row.severity,
    r.authority = row.authority,
    r.decided = row.decided,
    r.removed = row.removed,
    r.amount = row.amount,
    r.doc_no = row.doc_no,
    r.reason = row.reason,
    r.match_score = row.match_score
WITH s, r
CALL (s, r) {
  MATCH (old)-[h:HAS_RECORD]->(r)
  WHERE old <> s
  DELETE h
}
MERGE (s)-[:HAS_RECORD]->(r)
