CREATE INDEX audit_entity IF NOT EXISTS
FOR (a:AuditEntry) ON (a.entity)
