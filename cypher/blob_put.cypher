// Write chunks of a blob; the caller deletes the old chunks in the same transaction.
UNWIND $rows AS row
CREATE (:BlobChunk {key: $key, seq: row.seq, data: row.data})
