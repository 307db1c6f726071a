// A page of case files without their views, most recently updated first,
// then by id, and how many the filter selects.
MATCH (c:Case)
WHERE ($archived OR c.archived IS NULL) AND ($created_by = '' OR c.created_by = $created_by)
WITH c ORDER BY c.updated DESC, c.id
WITH collect(c {.id, .title, .notes, .entities, .nodes, .created_by, .updated_by, .created, .updated, .version, .archived}) AS cs
RETURN size(cs) AS total, cs[$offset..$offset + $limit] AS page
