// The data generation: the sum of the counter shards (0 before any batch).
MATCH (m:Meta) WHERE m.id STARTS WITH 'generation-'
RETURN coalesce(sum(m.generation), 0) AS generation
