CREATE INDEX person_risk_score IF NOT EXISTS
FOR (p:Person) ON (p.risk_score)
