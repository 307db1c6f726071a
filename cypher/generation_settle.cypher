// The settled data generation (Store.SettledGeneration): lock every
// counter shard in turn — MERGE waits on a shard a batch in flight is
// creating, SET on one it has bumped — then sum them under the locks.
UNWIND $ids AS id
MERGE (m:Meta {id: id})
SET m.barriers = coalesce(m.barriers, 0) + 1
WITH collect(m) AS shards
UNWIND shards AS m
RETURN coalesce(sum(m.generation), 0) AS generation
