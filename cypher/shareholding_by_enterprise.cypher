// One HOLDS_SHARES per (holder, enterprise); the holder is an enterprise.
// Null amount, since, match_score, voting_ratio or income_ratio removes
// the property (voting and income ratios are set only where they differ
// from the equity ratio); match_score is
// the matcher's score when the loader resolved an enterprise by matching.
UNWIND $rows AS row
MERGE (h:Enterprise {key: row.holder})
  ON CREATE SET h.placeholder = true, h.gen = $gen
MERGE (e:Enterprise {key: row.enterprise})
  ON CREATE SET e.placeholder = true, e.gen = $gen
MERGE (h)-[r:HOLDS_SHARES]->(e)
SET r.gen = $gen, r.ratio = row.ratio, r.amount = row.amount, r.since = row.since, r.match_score = row.match_score,
    r.voting_ratio = row.voting_ratio, r.income_ratio = row.income_ratio
