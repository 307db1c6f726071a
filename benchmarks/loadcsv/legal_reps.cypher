// LOAD CSV baseline: legal_reps.csv.
LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {
  MERGE (p:Person {pid: 'src:' + row.person_id}) ON CREATE SET p.placeholder = true
  MERGE (e:Enterprise {key: row.enterprise}) ON CREATE SET e.placeholder = true
  MERGE (p)-[r:LEGAL_REP_OF]->(e)
  SET r.since = date(row.since), r.until = date(row.until)
} IN TRANSACTIONS OF 5000 ROWS
