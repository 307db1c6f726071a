// The confirmed xref pairs (those with a SAME_AS link), by id.
MATCH (p:XrefPair {status: 'confirmed'})
RETURN properties(p) AS pair
ORDER BY p.id
