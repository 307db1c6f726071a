// LOAD CSV baseline: persons.csv. Cypher cannot compute the HMAC pid, so the
// person is keyed by its source key (the loader hashes; LOAD CSV does not).
LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {
  MERGE (p:Person {pid: 'src:' + row.person_id})
  SET p.name = row.name, p.placeholder = null
} IN TRANSACTIONS OF 5000 ROWS
