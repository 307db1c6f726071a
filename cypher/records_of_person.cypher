MATCH (:Person {pid: $key})-[:HAS_RECORD]->(r:Record)
RETURN r
