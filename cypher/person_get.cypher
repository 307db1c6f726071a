// A person by pid, as its property map (no driver node to decode).
MATCH (p:Person {pid: $pid})
RETURN properties(p) AS p
