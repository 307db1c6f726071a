// Drop results staged by runs that were never promoted (failed runs).
MATCH (n:Person) WHERE n.risk_next_run IS NOT NULL
CALL (n) {
  REMOVE n.risk_next_run, n.risk_next_score, n.risk_next_grade, n.risk_next_flags, n.risk_next_details
} IN TRANSACTIONS OF 10000 ROWS
