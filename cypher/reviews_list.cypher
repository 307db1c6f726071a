// Match review entries of a status ('' for all), oldest first (created,
// then id), after the cursor ($after_created, $after_id: the last entry of
// the previous page; the zero time and '' for the first).
MATCH (r:MatchReview)
WHERE ($status = '' OR r.status = $status)
  AND (r.created > $after_created OR (r.created = $after_created AND r.id > $after_id))
RETURN properties(r) AS review
ORDER BY r.created, r.id
LIMIT $limit
