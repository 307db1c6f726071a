// Append audit entries; an entry whose id exists is left as it is.
UNWIND $rows AS row
MERGE (a:AuditEntry {id: row.id})
ON CREATE SET a.time = row.time,
              a.key_id = row.key_id,
              a.role = row.role,
              a.method = row.method,
              a.route = row.route,
              a.entity = row.entity,
              a.status = row.status
