// Insert the xref pairs whose id is not stored yet, as they are given; a
// stored pair is left untouched (a re-run never reopens a decided pair).
// Returns how many were inserted.
UNWIND $rows AS row
MERGE (p:XrefPair {id: row.id})
ON CREATE SET p += row, p.fresh = true
WITH p, coalesce(p.fresh, false) AS fresh
REMOVE p.fresh
RETURN sum(CASE WHEN fresh THEN 1 ELSE 0 END) AS added
