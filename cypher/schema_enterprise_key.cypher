// Every enterprise has one key: its USCC, or a namespaced source id.
CREATE CONSTRAINT enterprise_key IF NOT EXISTS
FOR (e:Enterprise) REQUIRE e.key IS UNIQUE
