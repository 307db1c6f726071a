// Delete a watch-list; returns a row only when it existed.
MATCH (w:Watchlist {id: $id})
WITH w, w.id AS id
DELETE w
RETURN id
