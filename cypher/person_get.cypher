MATCH (p:Person {pid: $pid})
RETURN p
