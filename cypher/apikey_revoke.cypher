// Revoke a key; a second revocation keeps the first time.
MATCH (k:ApiKey {id: $id})
SET k.revoked = coalesce(k.revoked, $at)
RETURN k.id AS id
