CREATE INDEX enterprise_industry IF NOT EXISTS
FOR (e:Enterprise) ON (e.industry)
