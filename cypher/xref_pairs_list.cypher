// Xref pairs with status $status (all when empty), score descending then
// id, after the pair ($score, $after) when $after is not empty.
MATCH (p:XrefPair)
WHERE ($status = '' OR p.status = $status)
  AND ($after = '' OR p.score < $score OR (p.score = $score AND p.id > $after))
RETURN properties(p) AS pair
ORDER BY p.score DESC, p.id
LIMIT $limit
