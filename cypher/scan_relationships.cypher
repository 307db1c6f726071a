// One chunk of the relationship scan: the relationships of up to $limit
// enterprises after key $after in key order (the shareholdings and
// appointments that end at each, the branch links that start at it), as a
// single record: rows [kind, start node's internal id, end node's internal
// id, properties] with kind 0 HOLDS_SHARES, 1 LEGAL_REP_OF, 2 OFFICER_OF,
// 3 BRANCH_OF; the number of enterprises and the last key.
MATCH (e:Enterprise)
WHERE e.key > $after
WITH e
ORDER BY e.key
LIMIT $limit
WITH collect(e) AS es, count(*) AS n, max(e.key) AS last
RETURN COLLECT {
    UNWIND es AS e
    MATCH (x)-[r:HOLDS_SHARES|LEGAL_REP_OF|OFFICER_OF]->(e)
    RETURN [CASE type(r) WHEN 'HOLDS_SHARES' THEN 0 WHEN 'LEGAL_REP_OF' THEN 1 ELSE 2 END, id(x), id(e), properties(r)] AS row
  UNION ALL
    UNWIND es AS e
    MATCH (e)-[:BRANCH_OF]->(p)
    RETURN [3, id(e), id(p), null] AS row
  } AS rows, n, last
