// Stage engine results on existing enterprises; PromoteRun makes them current.
UNWIND $rows AS row
MATCH (n:Enterprise {key: row.key})
SET n.risk_next_run = row.run,
    n.risk_next_score = row.score,
    n.risk_next_grade = row.grade,
    n.risk_next_flags = row.flags,
    n.risk_next_details = row.details
