// The numbers of enterprises, persons, relationships and records from the
// count store (no node or relationship is read): the projection scan bounds
// its node numbers by the nodes and hands the first three to the engine as
// sizes; every scan splits its streams into key ranges by them.
CALL () { MATCH (e:Enterprise) RETURN count(e) AS enterprises }
CALL () { MATCH (p:Person) RETURN count(p) AS persons }
CALL () { MATCH (r:Record) RETURN count(r) AS records }
CALL () { MATCH ()-[r:HOLDS_SHARES]->() RETURN count(r) AS shareholdings }
CALL () { MATCH ()-[r:LEGAL_REP_OF]->() RETURN count(r) AS legalReps }
CALL () { MATCH ()-[r:OFFICER_OF]->() RETURN count(r) AS officers }
CALL () { MATCH ()-[r:BRANCH_OF]->() RETURN count(r) AS branches }
CALL () { MATCH ()-[r:RELATED_TO]->() RETURN count(r) AS relations }
RETURN enterprises, persons, shareholdings + legalReps + officers + branches + relations AS relationships,
  records
