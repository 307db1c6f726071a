// Relationships of the given enterprises in both directions, of the given
// types (all when $types is empty), with both endpoints.
UNWIND $keys AS k
MATCH (n:Enterprise {key: k})-[r]-(m)
WHERE size($types) = 0 OR type(r) IN $types
RETURN type(r) AS type, properties(r) AS props, startNode(r) AS source, endNode(r) AS target
