// Engine results on existing enterprises only.
UNWIND $rows AS row
MATCH (n:Enterprise {key: row.key})
SET n.risk_score = row.score, n.risk_grade = row.grade, n.risk_run = row.run, n.risk_flags = row.flags
