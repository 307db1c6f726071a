CREATE INDEX commitment_subject IF NOT EXISTS FOR (c:Commitment) ON (c.subject)
