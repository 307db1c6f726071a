// What leads up from the given enterprises (store.Reader.Upward): the
// holdings, controls, offices and legal representatives ending at each,
// its SAME_AS links in both directions and its BRANCH_OF to its head
// office, with both endpoints. Both patterns are directed, so a holding
// company's subsidiaries and branches are never read (docs/storage.md,
// "Upward": the PROFILE of this statement).
UNWIND $keys AS k
MATCH (n:Enterprise {key: k})
CALL (n) {
  MATCH (n)<-[r:HOLDS_SHARES|CONTROLS|OFFICER_OF|LEGAL_REP_OF|SAME_AS]-()
  RETURN r
  UNION ALL
  MATCH (n)-[r:SAME_AS|BRANCH_OF]->()
  RETURN r
}
RETURN type(r) AS type, properties(r) AS props, startNode(r) AS source, endNode(r) AS target
