// The internal ids the projection scan's relationships span, per type: the
// row kind (as scan_projection_relationships numbers them; 4 for
// RELATED_TO) and the lowest and highest id of a relationship of that type,
// by a scan of the relationship type lookup index (one db hit per
// relationship; ≈ 0.4 s of server CPU at 1 M enterprises, 6.4 M
// relationships). A type without relationships gives no row. The by-id statements
// (scan_projection_*_by_id) read these spans in ranges of ids.
MATCH ()-[r:HOLDS_SHARES]->() RETURN 0 AS kind, min(id(r)) AS lo, max(id(r)) AS hi
UNION ALL
MATCH ()-[r:LEGAL_REP_OF]->() RETURN 1 AS kind, min(id(r)) AS lo, max(id(r)) AS hi
UNION ALL
MATCH ()-[r:OFFICER_OF]->() RETURN 2 AS kind, min(id(r)) AS lo, max(id(r)) AS hi
UNION ALL
MATCH ()-[r:BRANCH_OF]->() RETURN 3 AS kind, min(id(r)) AS lo, max(id(r)) AS hi
UNION ALL
MATCH ()-[r:RELATED_TO]->() RETURN 4 AS kind, min(id(r)) AS lo, max(id(r)) AS hi
