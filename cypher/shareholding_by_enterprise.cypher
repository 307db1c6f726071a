// One HOLDS_SHARES per (holder, enterprise); the holder is an enterprise.
// Null amount or since removes the property.
UNWIND $rows AS row
MERGE (h:Enterprise {key: row.holder})
  ON CREATE SET h.placeholder = true
MERGE (e:Enterprise {key: row.enterprise})
  ON CREATE SET e.placeholder = true
MERGE (h)-[r:HOLDS_SHARES]->(e)
SET r.ratio = row.ratio, r.amount = row.amount, r.since = row.since
