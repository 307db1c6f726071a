// Keyset pagination over enterprises in key order; per enterprise, the
// shareholdings and roles that end at it and the branch links that start at it.
MATCH (e:Enterprise)
WHERE e.key > $after
WITH e
ORDER BY e.key
LIMIT $limit
RETURN e.key AS key,
  COLLECT {
    MATCH (h)-[r:HOLDS_SHARES]->(e)
    RETURN {person: h:Person, holder: coalesce(h.key, h.pid), props: properties(r)}
  } AS shares,
  COLLECT {
    MATCH (p:Person)-[r:LEGAL_REP_OF|OFFICER_OF]->(e)
    RETURN {type: type(r), person: p.pid, props: properties(r)}
  } AS roles,
  COLLECT {
    MATCH (e)-[:BRANCH_OF]->(p:Enterprise)
    RETURN p.key
  } AS parents
