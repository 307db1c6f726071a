// One xref pair by id.
MATCH (p:XrefPair {id: $id})
RETURN properties(p) AS pair
