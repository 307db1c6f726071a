// The match review entries among $ids that exist, in the order of $ids.
UNWIND range(0, size($ids) - 1) AS i
MATCH (r:MatchReview {id: $ids[i]})
RETURN properties(r) AS review
ORDER BY i
