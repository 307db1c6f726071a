// One OFFICER_OF per (person, enterprise, title): director, supervisor, manager…
UNWIND $rows AS row
MERGE (p:Person {pid: row.person})
  ON CREATE SET p.placeholder = true
MERGE (e:Enterprise {key: row.enterprise})
  ON CREATE SET e.placeholder = true
MERGE (p)-[r:OFFICER_OF {title: row.title}]->(e)
SET r.since = row.since, r.until = row.until
