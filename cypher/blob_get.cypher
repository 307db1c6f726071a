// The chunks of a blob in order.
MATCH (b:BlobChunk {key: $key})
RETURN b.data AS data
ORDER BY b.seq
