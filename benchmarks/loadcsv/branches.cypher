// LOAD CSV baseline: branches.csv.
LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {
  MERGE (b:Enterprise {key: row.branch}) ON CREATE SET b.placeholder = true
  MERGE (p:Enterprise {key: row.parent}) ON CREATE SET p.placeholder = true
  MERGE (b)-[:BRANCH_OF]->(p)
} IN TRANSACTIONS OF 5000 ROWS
