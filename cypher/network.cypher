// Everything a neighbourhood walk of depth 1 or 2 reads (store.WalkNeighbourhood),
// in one statement; store/neo4j/network.go walks the answer in memory.
// $kind: "enterprise" or "person"; $key: the enterprise's key or USCC, or the
// pid; $types: the relationship types the rings follow (never empty);
// $depth: 1 or 2; $limit: the node limit.
//
// ring0 is the root's SAME_AS set; ring1 its neighbours over $types,
// sameSet1 the SAME_AS sets of its enterprises, frontier1 both beyond ring0;
// ring2 (depth 2) the neighbours of frontier1, sameSet2 the SAME_AS sets of
// its enterprises. A SAME_AS set is what lies within 32 SAME_AS links (the
// closure's bound, store/sameas.go) and comes with every SAME_AS link of its
// members; only enterprises have them, so persons and records, which carry
// most relationships, are not searched. Most enterprises of rings 1 and 2
// have no SAME_AS link: an EXISTS test reads each one's relationships once,
// and only those with a link are searched (*1..32) and have their links
// read, where the search and the read would each have gone through every
// enterprise's relationships. A frontier1 larger than $limit is not expanded (deep is false):
// the walk would cut it, and the caller walks ring by ring instead.
//
// The answer is lean (docs/storage.md "Depth-2 network from Neo4j"): no
// driver node or relationship values (element ids, label lists), internal
// ids instead. The root comes as its property map; every other node once
// as [label, id, properties] with label 0 Enterprise, 1 Person, 2 Record,
// 3 any other; every relationship as [id, type, id of start, id of end,
// properties]; expanded and sameRead as internal ids.
OPTIONAL MATCH (byKey:Enterprise {key: $key}) WHERE $kind = 'enterprise'
OPTIONAL MATCH (byCode:Enterprise {uscc: $key}) WHERE $kind = 'enterprise'
OPTIONAL MATCH (byPID:Person {pid: $key}) WHERE $kind = 'person'
WITH coalesce(byKey, byCode, byPID) AS root
WHERE root IS NOT NULL
CALL (root) {
  MATCH (root)-[:SAME_AS*0..32]-(s)
  WITH DISTINCT s
  OPTIONAL MATCH (s)-[r:SAME_AS]-()
  RETURN collect(DISTINCT s) AS ring0, collect(DISTINCT r) AS same0
}
CALL (ring0) {
  UNWIND ring0 AS n
  MATCH (n)-[r]-(m)
  WHERE type(r) IN $types
  RETURN collect(DISTINCT r) AS rels1, collect(DISTINCT m) AS ring1
}
CALL (ring1) {
  WITH [m IN ring1 WHERE m:Enterprise] AS ents
  CALL (ents) {
    UNWIND [m IN ents WHERE EXISTS { (m)-[:SAME_AS]-() }] AS m
    MATCH (m)-[:SAME_AS*1..32]-(s)
    WITH DISTINCT s
    OPTIONAL MATCH (s)-[r:SAME_AS]-()
    RETURN collect(DISTINCT s) AS linked, collect(DISTINCT r) AS links
  }
  RETURN ents + linked AS sameSet1, links AS same1
}
CALL (ring0, ring1, sameSet1) {
  UNWIND ring1 + sameSet1 AS n
  WITH DISTINCT n
  WHERE NOT n IN ring0
  RETURN collect(n) AS frontier1
}
WITH root, ring0, same0, rels1, sameSet1, same1, frontier1, $depth >= 2 AND size(frontier1) <= $limit AS deep
CALL (frontier1, deep) {
  UNWIND CASE WHEN deep THEN frontier1 ELSE [] END AS n
  MATCH (n)-[r]-(m)
  WHERE type(r) IN $types
  RETURN collect(DISTINCT r) AS rels2, collect(DISTINCT m) AS ring2
}
CALL (ring2) {
  WITH [m IN ring2 WHERE m:Enterprise] AS ents
  CALL (ents) {
    UNWIND [m IN ents WHERE EXISTS { (m)-[:SAME_AS]-() }] AS m
    MATCH (m)-[:SAME_AS*1..32]-(s)
    WITH DISTINCT s
    OPTIONAL MATCH (s)-[r:SAME_AS]-()
    RETURN collect(DISTINCT s) AS linked, collect(DISTINCT r) AS links
  }
  RETURN ents + linked AS sameSet2, links AS same2
}
CALL (ring0, frontier1, ring2, sameSet2) {
  UNWIND ring0 + frontier1 + ring2 + sameSet2 AS n
  WITH DISTINCT n
  RETURN collect([CASE WHEN n:Enterprise THEN 0 WHEN n:Person THEN 1 WHEN n:Record THEN 2 ELSE 3 END, id(n), properties(n)]) AS nodes
}
RETURN properties(root) AS root, nodes,
       [r IN rels1 + rels2 + same0 + same1 + same2 | [id(r), type(r), id(startNode(r)), id(endNode(r)), properties(r)]] AS rels,
       [n IN ring0 + CASE WHEN deep THEN frontier1 ELSE [] END | id(n)] AS expanded,
       [n IN ring0 + sameSet1 + sameSet2 | id(n)] AS sameRead,
       deep
