// Create a case file (version 1); the constraint on id refuses one that
// exists. The view is the explorer's state as JSON.
CREATE (c:Case {id: $id})
SET c.title = $title,
    c.notes = $notes,
    c.entities = $entities,
    c.view = $view,
    c.nodes = $nodes,
    c.created_by = $created_by,
    c.updated_by = $updated_by,
    c.created = $created,
    c.updated = $updated,
    c.version = 1,
    c.archived = $archived
