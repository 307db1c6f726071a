// A real row replaces the name and is no longer a placeholder; risk_* is kept.
UNWIND $rows AS row
MERGE (p:Person {pid: row.pid})
SET p.name = row.name,
    p.placeholder = null,
    p.gen = $gen
