// Advance the data generation by one (one random counter shard, as
// generation_bump) and return the generation this transaction sees after
// it: the stamp of the batch's writes (store.ChangeFeed). Run first in a
// batch's transaction, so every statement after it stamps its rows.
MERGE (m:Meta {id: $id})
SET m.generation = coalesce(m.generation, 0) + 1
WITH m
MATCH (x:Meta) WHERE x.id STARTS WITH 'generation-'
RETURN sum(x.generation) AS generation
