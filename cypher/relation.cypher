// One RELATED_TO per (a, b, kind), a's pid before b's (models.Relation.Canonical):
// spouse, relative, other. A person not yet loaded becomes a placeholder.
UNWIND $rows AS row
MERGE (a:Person {pid: row.a})
  ON CREATE SET a.placeholder = true, a.gen = $gen
MERGE (b:Person {pid: row.b})
  ON CREATE SET b.placeholder = true, b.gen = $gen
MERGE (a)-[r:RELATED_TO {kind: row.kind}]->(b)
SET r.gen = $gen, r.since = row.since
