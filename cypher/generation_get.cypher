OPTIONAL MATCH (m:Meta {id: 'riskgraph'})
RETURN coalesce(m.generation, 0) AS generation
