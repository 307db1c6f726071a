// Decide a match review entry. The entry's write lock is taken first (the
// SET of _lock), so that of two decisions at once the second sees the
// first's result; the decision is set only when the entry was pending.
// Returns the status it had before and the entry as it is now.
MATCH (r:MatchReview {id: $id})
SET r._lock = true
WITH r, r.status AS was
FOREACH (_ IN CASE WHEN was = 'pending' THEN [1] ELSE [] END |
  SET r.status = $status, r.key = $key, r.decided_by = $by, r.decided = $at)
REMOVE r._lock
RETURN was, properties(r) AS review
