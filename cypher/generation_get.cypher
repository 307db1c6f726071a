// The last allocated data-generation stamp (0 before any batch). A
// database written before stamps, or imported by neo4j-admin, has only the
// counter shards 'generation-00'…: their sum is its generation.
OPTIONAL MATCH (n:Meta {id: 'generation-next'})
OPTIONAL MATCH (x:Meta) WHERE x.id STARTS WITH 'generation-'
WITH n, coalesce(sum(x.generation), 0) AS base
RETURN coalesce(n.next, base) AS generation
