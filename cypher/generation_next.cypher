// Allocate the next data-generation stamp (store/neo4j/stamp.go): advance
// the one counter (Meta 'generation-next'; on first use it starts from the
// counter shards of a database imported or written before stamps, whose sum
// was the generation) and record the stamp as a Generation node in $state:
// 'open' for a batch that claims it in its own transaction later, 'done'
// when the caller's own transaction is the write it stamps. An open stamp
// expires $lease milliseconds from now: after that a reaper may abandon it.
OPTIONAL MATCH (x:Meta) WHERE x.id STARTS WITH 'generation-'
WITH coalesce(sum(x.generation), 0) AS base
MERGE (n:Meta {id: 'generation-next'})
  ON CREATE SET n.next = base
SET n.next = n.next + 1
CREATE (g:Generation {g: n.next, state: $state, expires: timestamp() + $lease})
RETURN g.g AS stamp
