// Insert or replace an engine run's record.
MERGE (r:Run {id: $id})
SET r.started = $started,
    r.finished = $finished,
    r.status = $status,
    r.generation = $generation,
    r.params = $params,
    r.summary = $summary,
    r.error = $error
