// Abandon open stamps: the stamps in $gens (a batch whose transaction
// failed), or, with $gens null, every open stamp whose lease has expired (a
// writer that died between allocating and committing). A stamp a batch has
// claimed is locked until that batch commits; the state is read under the
// lock, so a committed stamp stays done.
MATCH (g:Generation {state: 'open'})
WHERE ($gens IS NULL AND g.expires < timestamp()) OR g.g IN $gens
SET g._LOCK_ = true
WITH g, g.state = 'open' AS open
SET g.state = CASE WHEN open THEN 'skipped' ELSE g.state END
REMOVE g._LOCK_
RETURN count(CASE WHEN open THEN 1 END) AS abandoned
