// Enterprises whose key or USCC equals the query.
CALL () {
  MATCH (e:Enterprise {key: $key})
  RETURN e
  UNION
  MATCH (e:Enterprise {uscc: $code})
  RETURN e
}
RETURN e
