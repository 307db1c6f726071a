CREATE INDEX licence_enterprise IF NOT EXISTS FOR (l:Licence) ON (l.enterprise)
