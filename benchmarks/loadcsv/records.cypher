// LOAD CSV baseline: records.csv (enterprise or person subjects). Severity
// defaults to 0.5 where the loader uses a per-kind default.
LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {
  MERGE (r:Record {id: 'src:bench:' + row.record_id})
  SET r.kind = row.kind, r.severity = coalesce(toFloat(row.severity), 0.5), r.authority = row.authority,
      r.decided = date(row.decided), r.removed = date(row.removed), r.amount = toFloat(row.amount),
      r.doc_no = row.doc_no, r.reason = row.reason
  WITH row, r
  CALL (row, r) {
    WITH row, r WHERE row.subject_kind = 'enterprise'
    MERGE (s:Enterprise {key: row.subject}) ON CREATE SET s.placeholder = true
    MERGE (s)-[:HAS_RECORD]->(r)
  }
  CALL (row, r) {
    WITH row, r WHERE row.subject_kind = 'person'
    MERGE (s:Person {pid: 'src:' + row.subject}) ON CREATE SET s.placeholder = true
    MERGE (s)-[:HAS_RECORD]->(r)
  }
} IN TRANSACTIONS OF 5000 ROWS
