// One report's metadata.
MATCH (r:Report {id: $id})
RETURN properties(r) AS report
