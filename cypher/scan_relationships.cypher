// One chunk of the relationship scan: the relationships of up to $limit
// enterprises after key $after in key order (the shareholdings and
// appointments that end at each, the branch links that start at it), as a
// single record: one list per relationship, starting with its kind and the
// internal ids of its start and end nodes,
//   [0, start, end, ratio, amount, since, match_score, voting_ratio, income_ratio]  HOLDS_SHARES
//   [1, start, end, title, since, until, title_text, match_score]   LEGAL_REP_OF
//   [2, start, end, title, since, until, title_text, match_score, day_to_day]   OFFICER_OF
//   [3, start, end, match_score]                        BRANCH_OF
//   [5, start, end, basis, group, note, since, until]   CONTROLS (ending at the enterprise)
// then the number of enterprises and the last key.
MATCH (e:Enterprise)
WHERE e.key > $after AND e.key <= $upto
WITH e
ORDER BY e.key
LIMIT $limit
WITH collect(e) AS es, count(*) AS n, max(e.key) AS last
RETURN COLLECT {
    UNWIND es AS e
    MATCH (x)-[r:HOLDS_SHARES|LEGAL_REP_OF|OFFICER_OF]->(e)
    RETURN CASE type(r)
      WHEN 'HOLDS_SHARES' THEN [0, id(x), id(e), r.ratio, r.amount, r.since, r.match_score, r.voting_ratio, r.income_ratio]
      WHEN 'LEGAL_REP_OF' THEN [1, id(x), id(e), r.title, r.since, r.until, r.title_text, r.match_score]
      ELSE [2, id(x), id(e), r.title, r.since, r.until, r.title_text, r.match_score, r.day_to_day]
    END AS row
  UNION ALL
    UNWIND es AS e
    MATCH (e)-[b:BRANCH_OF]->(p)
    RETURN [3, id(e), id(p), b.match_score] AS row
  UNION ALL
    UNWIND es AS e
    MATCH (x)-[c:CONTROLS]->(e)
    RETURN [5, id(x), id(e), c.basis, c.group, c.note, c.since, c.until] AS row
  } AS rows, n, last
