CREATE INDEX record_kind IF NOT EXISTS
FOR (r:Record) ON (r.kind)
