// The lowest open stamp (null when none) and how many open stamps have an
// expired lease; read after generation_get (store/neo4j/stamp.go).
OPTIONAL MATCH (g:Generation {state: 'open'})
RETURN min(g.g) AS low, count(CASE WHEN g.expires < timestamp() THEN 1 END) AS expired
