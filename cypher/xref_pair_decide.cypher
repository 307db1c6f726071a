// Record a decision on an xref pair: its new status, who and when, and one
// more entry (JSON) in its history. A confirmed pair gets its SAME_AS link
// between the two enterprises; any other status removes it. The pair
// itself is never deleted.
MATCH (p:XrefPair {id: $id})
SET p.status = $status,
    p.decided_by = $by,
    p.decided_at = $at,
    p.history = coalesce(p.history, []) + [$entry]
WITH p
CALL (p) {
  MATCH (a:Enterprise {key: p.a}), (b:Enterprise {key: p.b})
  WHERE $status = 'confirmed'
  MERGE (a)-[r:SAME_AS {pair: p.id}]->(b)
  SET r.score = p.score, r.decided_by = $by, r.at = $atText
}
CALL (p) {
  MATCH (:Enterprise {key: p.a})-[r:SAME_AS {pair: p.id}]->(:Enterprise {key: p.b})
  WHERE $status <> 'confirmed'
  DELETE r
}
RETURN properties(p) AS pair
