// The repairs of the given records (every record's when $ids is null).
MATCH (r:Repair)
WHERE $ids IS NULL OR r.record_id IN $ids
RETURN r.body AS body
