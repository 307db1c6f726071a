// Placeholder rows create a missing person, marked placeholder, and never
// touch an existing one.
UNWIND $rows AS row
MERGE (p:Person {pid: row.pid})
  ON CREATE SET p.name = row.name, p.placeholder = true, p.gen = $gen
