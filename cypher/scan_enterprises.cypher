// One chunk of the scan: up to $limit enterprises after key $after in key
// order (keyset pagination on the unique index), as a single record: rows
// [internal id, properties], the number of rows and the last key.
MATCH (e:Enterprise)
WHERE e.key > $after AND e.key <= $upto
WITH e
ORDER BY e.key
LIMIT $limit
RETURN collect([id(e), properties(e)]) AS rows, count(*) AS n, max(e.key) AS last
