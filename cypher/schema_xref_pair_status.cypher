CREATE INDEX xref_pair_status IF NOT EXISTS
FOR (p:XrefPair) ON (p.status, p.score)
