// Insert a new API key; the uniqueness constraints refuse a second id or hash.
CREATE (k:ApiKey {id: $id, name: $name, role: $role, hash: $hash, created: $created})
