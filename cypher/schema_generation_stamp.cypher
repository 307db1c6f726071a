// One Generation node per data-generation stamp (store/neo4j/stamp.go): the
// constraint makes a stamp's node unique, so a stamp can be settled only
// once — as committed by its batch or as abandoned by a reaper, never both.
CREATE CONSTRAINT generation_stamp IF NOT EXISTS FOR (g:Generation) REQUIRE g.g IS UNIQUE
