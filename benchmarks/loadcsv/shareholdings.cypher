// LOAD CSV baseline: shareholdings.csv (person or enterprise holders).
LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {
  MERGE (e:Enterprise {key: row.enterprise}) ON CREATE SET e.placeholder = true
  WITH row, e
  CALL (row, e) {
    WITH row, e WHERE row.holder_kind = 'person'
    MERGE (h:Person {pid: 'src:' + row.holder}) ON CREATE SET h.placeholder = true
    MERGE (h)-[r:HOLDS_SHARES]->(e)
    SET r.ratio = toFloat(row.ratio), r.amount = toFloat(row.amount), r.since = date(row.since)
  }
  CALL (row, e) {
    WITH row, e WHERE row.holder_kind = 'enterprise'
    MERGE (h:Enterprise {key: row.holder}) ON CREATE SET h.placeholder = true
    MERGE (h)-[r:HOLDS_SHARES]->(e)
    SET r.ratio = toFloat(row.ratio), r.amount = toFloat(row.amount), r.since = date(row.since)
  }
} IN TRANSACTIONS OF 5000 ROWS
