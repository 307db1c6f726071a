// Queue match review entries (store/neo4j/reviews.go): an entry whose id is
// not held yet is created pending with its document (the entry as JSON:
// query, candidates, the held row); an id already held keeps what it holds,
// decision included. Returns every given entry as stored.
UNWIND $rows AS row
MERGE (r:MatchReview {id: row.id})
  ON CREATE SET r.status = 'pending', r.created = row.created, r.doc = row.doc
RETURN properties(r) AS review
