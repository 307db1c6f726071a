// Advance the data generation. Run last in a batch's transaction, so the
// lock on the single Meta node is held only while the transaction commits.
MERGE (m:Meta {id: 'riskgraph'})
SET m.generation = coalesce(m.generation, 0) + 1
