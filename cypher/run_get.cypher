MATCH (r:Run {id: $id})
RETURN properties(r) AS run
