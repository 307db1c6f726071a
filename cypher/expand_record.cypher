UNWIND $keys AS k
MATCH (n:Record {id: k})-[r]-(m)
WHERE size($types) = 0 OR type(r) IN $types
RETURN type(r) AS type, properties(r) AS props, startNode(r) AS source, endNode(r) AS target
