// Insert or replace an xref run's record (kept apart from engine runs).
MERGE (r:XrefRun {id: $id})
SET r.started = $started,
    r.finished = $finished,
    r.status = $status,
    r.generation = $generation,
    r.params = $params,
    r.summary = $summary,
    r.error = $error
