// Insert or replace a report's metadata (its body is stored as BlobChunks).
MERGE (r:Report {id: $id})
SET r.created = $created,
    r.run = $run,
    r.against = $against,
    r.scope = $scope,
    r.summary = $summary,
    r.delivery = $delivery
