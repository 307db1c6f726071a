// The API key with the given hash of its secret.
MATCH (k:ApiKey {hash: $hash})
RETURN properties(k) AS key
