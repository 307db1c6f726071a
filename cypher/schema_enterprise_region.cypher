CREATE INDEX enterprise_region IF NOT EXISTS
FOR (e:Enterprise) ON (e.region)
