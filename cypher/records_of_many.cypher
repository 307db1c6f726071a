UNWIND $enterprises AS k
MATCH (:Enterprise {key: k})-[:HAS_RECORD]->(r:Record)
RETURN 'enterprise' AS kind, k AS key, r
UNION ALL
UNWIND $persons AS k
MATCH (:Person {pid: k})-[:HAS_RECORD]->(r:Record)
RETURN 'person' AS kind, k AS key, r
