// The number of enterprises and persons, from the count store (no node is
// read): the projection scan bounds its node numbers by it.
CALL () { MATCH (e:Enterprise) RETURN count(e) AS enterprises }
CALL () { MATCH (p:Person) RETURN count(p) AS persons }
RETURN enterprises + persons AS n
