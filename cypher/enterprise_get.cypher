// An enterprise by key, else by USCC.
OPTIONAL MATCH (byKey:Enterprise {key: $key})
OPTIONAL MATCH (byCode:Enterprise {uscc: $key})
WITH coalesce(byKey, byCode) AS e
WHERE e IS NOT NULL
RETURN e
