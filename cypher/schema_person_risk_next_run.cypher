CREATE INDEX person_risk_next_run IF NOT EXISTS FOR (n:Person) ON (n.risk_next_run)
