// LOAD CSV baseline: relations.csv, person to person (persons keyed by their source key).
LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {
  MERGE (a:Person {pid: 'src:' + row.person_a}) ON CREATE SET a.placeholder = true
  MERGE (b:Person {pid: 'src:' + row.person_b}) ON CREATE SET b.placeholder = true
  MERGE (a)-[r:RELATED_TO {kind: row.kind}]->(b)
  SET r.since = date(row.since)
} IN TRANSACTIONS OF 5000 ROWS
