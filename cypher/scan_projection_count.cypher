// The numbers of enterprises, persons and relationships (shareholdings,
// appointments and branch links), from the count store (nothing is read):
// the projection scan bounds its node numbers by the nodes and tells the
// engine what to expect.
CALL () { MATCH (e:Enterprise) RETURN count(e) AS enterprises }
CALL () { MATCH (p:Person) RETURN count(p) AS persons }
CALL () { MATCH ()-[r:HOLDS_SHARES]->() RETURN count(r) AS holds }
CALL () { MATCH ()-[r:LEGAL_REP_OF]->() RETURN count(r) AS reps }
CALL () { MATCH ()-[r:OFFICER_OF]->() RETURN count(r) AS officers }
CALL () { MATCH ()-[r:BRANCH_OF]->() RETURN count(r) AS branches }
RETURN enterprises, persons, holds + reps + officers + branches AS relationships
