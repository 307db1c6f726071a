// Relationships of the given records in both directions, of the given types
// (all when $types is empty): one row per record that has any, the record
// once and each relationship as [type, properties, outgoing, other end]
// (docs/storage.md, "Depth-2 network": one node per row, not two per
// relationship).
UNWIND $keys AS k
MATCH (n:Record {id: k})-[r]-(m)
WHERE size($types) = 0 OR type(r) IN $types
RETURN n, collect([type(r), properties(r), startNode(r) = n, m]) AS rels
