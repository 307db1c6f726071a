// The change feed's relationships: up to $limit relationships stamped after
// generation $since (one index per type, *_gen), as one record listing the
// rows of scan_projection_relationships and scan_relations:
//   [0, start, end, ratio, since]          HOLDS_SHARES
//   [1, start, end, title, since, until]   LEGAL_REP_OF
//   [2, start, end, title, since, until]   OFFICER_OF
//   [3, start, end]                        BRANCH_OF
//   [4, start, end, kind, since]           RELATED_TO
CALL () {
    MATCH (x)-[r:HOLDS_SHARES]->(e) WHERE r.gen > $since
    RETURN [0, id(x), id(e), r.ratio, r.since] AS row
  UNION ALL
    MATCH (x)-[r:LEGAL_REP_OF]->(e) WHERE r.gen > $since
    RETURN [1, id(x), id(e), r.title, r.since, r.until] AS row
  UNION ALL
    MATCH (x)-[r:OFFICER_OF]->(e) WHERE r.gen > $since
    RETURN [2, id(x), id(e), r.title, r.since, r.until] AS row
  UNION ALL
    MATCH (x)-[r:BRANCH_OF]->(e) WHERE r.gen > $since
    RETURN [3, id(x), id(e)] AS row
  UNION ALL
    MATCH (x)-[r:RELATED_TO]->(y) WHERE r.gen > $since
    RETURN [4, id(x), id(y), r.kind, r.since] AS row
}
WITH row
LIMIT $limit
RETURN collect(row) AS rows
