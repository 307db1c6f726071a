// Engine results on existing persons only.
UNWIND $rows AS row
MATCH (n:Person {pid: row.key})
SET n.risk_score = row.score, n.risk_grade = row.grade, n.risk_run = row.run, n.risk_flags = row.flags
