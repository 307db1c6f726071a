MATCH (:Enterprise {key: $key})-[:HAS_RECORD]->(r:Record)
RETURN r
