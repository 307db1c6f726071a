// A unified social credit code names at most one enterprise.
CREATE CONSTRAINT enterprise_uscc IF NOT EXISTS
FOR (e:Enterprise) REQUIRE e.uscc IS UNIQUE
