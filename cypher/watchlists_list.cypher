// Every watch-list, oldest first, then by id.
MATCH (w:Watchlist)
RETURN properties(w) AS watchlist
ORDER BY w.created, w.id
