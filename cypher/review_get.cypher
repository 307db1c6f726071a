// One match review entry.
MATCH (r:MatchReview {id: $id})
RETURN properties(r) AS review
