// One watch-list.
MATCH (w:Watchlist {id: $id})
RETURN properties(w) AS watchlist
