// An enterprise by key, else by USCC, as its property map: no driver node
// to decode (element id, labels) in the hot single read behind /risk and the
// profiles (docs/storage.md).
OPTIONAL MATCH (byKey:Enterprise {key: $key})
OPTIONAL MATCH (byCode:Enterprise {uscc: $key})
WITH coalesce(byKey, byCode) AS e
WHERE e IS NOT NULL
RETURN properties(e) AS e
