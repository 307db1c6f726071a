// One BRANCH_OF per (branch, parent); match_score is the matcher's score when
// the loader resolved either end by matching, null (removed) when not.
UNWIND $rows AS row
MERGE (b:Enterprise {key: row.branch})
  ON CREATE SET b.placeholder = true, b.gen = $gen
MERGE (p:Enterprise {key: row.parent})
  ON CREATE SET p.placeholder = true, p.gen = $gen
MERGE (b)-[r:BRANCH_OF]->(p)
SET r.gen = $gen, r.match_score = row.match_score
