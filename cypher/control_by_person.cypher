// One CONTROLS per (controller, enterprise, basis): control by agreement,
// acting in concert (group names the arrangement) or as a general partner;
// the controller is a person. Null group, note, since or until removes the
// property.
UNWIND $rows AS row
MERGE (c:Person {pid: row.controller})
  ON CREATE SET c.placeholder = true, c.gen = $gen
MERGE (e:Enterprise {key: row.enterprise})
  ON CREATE SET e.placeholder = true, e.gen = $gen
MERGE (c)-[r:CONTROLS {basis: row.basis}]->(e)
SET r.group = row.group, r.note = row.note, r.since = row.since, r.until = row.until
