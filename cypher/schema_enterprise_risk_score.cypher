CREATE INDEX enterprise_risk_score IF NOT EXISTS
FOR (e:Enterprise) ON (e.risk_score)
