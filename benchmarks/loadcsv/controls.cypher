// LOAD CSV baseline: controls.csv (person or enterprise controllers).
LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {
  MERGE (e:Enterprise {key: row.enterprise}) ON CREATE SET e.placeholder = true
  WITH row, e
  CALL (row, e) {
    WITH row, e WHERE row.controller_kind = 'person'
    MERGE (c:Person {pid: 'src:' + row.controller}) ON CREATE SET c.placeholder = true
    MERGE (c)-[r:CONTROLS {basis: row.basis}]->(e)
    SET r.group = row.group, r.note = row.note, r.since = date(row.since), r.until = date(row.until)
  }
  CALL (row, e) {
    WITH row, e WHERE row.controller_kind = 'enterprise'
    MERGE (c:Enterprise {key: row.controller}) ON CREATE SET c.placeholder = true
    MERGE (c)-[r:CONTROLS {basis: row.basis}]->(e)
    SET r.group = row.group, r.note = row.note, r.since = date(row.since), r.until = date(row.until)
  }
} IN TRANSACTIONS OF 5000 ROWS
