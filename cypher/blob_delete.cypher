// Delete every chunk of a blob (a report body or a run snapshot).
MATCH (b:BlobChunk {key: $key})
DELETE b
