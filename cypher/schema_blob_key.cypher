CREATE INDEX blob_key IF NOT EXISTS FOR (b:BlobChunk) ON (b.key)
