// The objections of the given records (every record's when $ids is null).
MATCH (o:Objection)
WHERE $ids IS NULL OR o.record_id IN $ids
RETURN o.body AS body
