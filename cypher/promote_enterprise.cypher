// Make a run's staged results current on enterprises, keeping the current result
// as the previous one when it came from another run. Idempotent and
// resumable: a promoted node no longer carries risk_next_run.
MATCH (n:Enterprise) WHERE n.risk_next_run = $run
CALL (n) {
  WITH n, n.risk_run IS NOT NULL AND n.risk_run <> $run AS shift,
       n.risk_run AS oldRun, n.risk_score AS oldScore, n.risk_grade AS oldGrade
  SET n.risk_prev_run = CASE WHEN shift THEN oldRun ELSE n.risk_prev_run END,
      n.risk_prev_score = CASE WHEN shift THEN oldScore ELSE n.risk_prev_score END,
      n.risk_prev_grade = CASE WHEN shift THEN oldGrade ELSE n.risk_prev_grade END
  SET n.risk_run = n.risk_next_run,
      n.risk_score = n.risk_next_score,
      n.risk_grade = n.risk_next_grade,
      n.risk_flags = n.risk_next_flags,
      n.risk_details = n.risk_next_details
  REMOVE n.risk_next_run, n.risk_next_score, n.risk_next_grade, n.risk_next_flags, n.risk_next_details
} IN TRANSACTIONS OF 10000 ROWS
