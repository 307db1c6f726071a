// Empties the database, keeping the schema. For tests and benchmarks only.
MATCH (n)
CALL (n) {
  DETACH DELETE n
} IN TRANSACTIONS OF 10000 ROWS
