// The first statement of a batch's transaction: take the write lock of the
// batch's own stamp (SET _LOCK_ first, so its state is read under the lock)
// and mark it done if it is still open. mine is false when a reaper
// abandoned the stamp first: the batch must then not commit under it. The
// lock is held until the batch commits, so a reaper waits for the batch and
// then finds the stamp done.
MATCH (g:Generation {g: $gen})
SET g._LOCK_ = true
WITH g, g.state = 'open' AS mine
SET g.state = CASE WHEN mine THEN 'done' ELSE g.state END
REMOVE g._LOCK_
RETURN mine
