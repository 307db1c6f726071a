// Insert or replace a watch-list.
MERGE (w:Watchlist {id: $id})
SET w.name = $name,
    w.owner = $owner,
    w.keys = $keys,
    w.created = $created
