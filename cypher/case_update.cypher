// Replace a case file if it is still at $version (optimistic concurrency).
// Writing _lock first takes the node's write lock, so that the version
// read after it is the latest committed one and two concurrent updates of
// one version cannot both pass (Neo4j's documented pattern against lost
// updates). Returns a row only when the case was replaced.
MATCH (c:Case {id: $id})
SET c._lock = true
REMOVE c._lock
WITH c
WHERE c.version = $version
SET c.title = $title,
    c.notes = $notes,
    c.entities = $entities,
    c.view = $view,
    c.nodes = $nodes,
    c.updated_by = $updated_by,
    c.updated = $updated,
    c.version = $version + 1,
    c.archived = $archived
RETURN properties(c) AS case_file
