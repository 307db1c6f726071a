MATCH (r:XrefRun {id: $id})
RETURN properties(r) AS run
