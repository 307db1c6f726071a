// One chunk of the projection scan's relationships: scan_relationships
// without what the projection does not read (a shareholding's amount, an
// appointment's title_text). The
// relationships of up to $limit enterprises after key $after in key order,
// as a single record: one list per relationship,
//   [0, start, end, ratio, since]          HOLDS_SHARES
//   [1, start, end, title, since, until]   LEGAL_REP_OF
//   [2, start, end, title, since, until]   OFFICER_OF
//   [3, start, end]                        BRANCH_OF
// (start and end are internal ids) then the number of enterprises and the
// last key.
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
      WHEN 'HOLDS_SHARES' THEN [0, id(x), id(e), r.ratio, r.since]
      WHEN 'LEGAL_REP_OF' THEN [1, id(x), id(e), r.title, r.since, r.until]
      ELSE [2, id(x), id(e), r.title, r.since, r.until]
    END AS row
  UNION ALL
    UNWIND es AS e
    MATCH (e)-[:BRANCH_OF]->(p)
    RETURN [3, id(e), id(p)] AS row
  } AS rows, n, last
