CREATE INDEX enterprise_risk_next_run IF NOT EXISTS FOR (n:Enterprise) ON (n.risk_next_run)
