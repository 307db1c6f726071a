// Advance the data generation by one. The generation is the sum of 16
// counter shards; a batch bumps one shard chosen at random, so concurrent
// batch transactions rarely wait on the same node's lock. Run last in a
// batch's transaction, so the lock is held only while it commits.
UNWIND $rows AS row
MERGE (m:Meta {id: row.id})
SET m.generation = coalesce(m.generation, 0) + 1
