CREATE INDEX enterprise_status IF NOT EXISTS
FOR (e:Enterprise) ON (e.status)
