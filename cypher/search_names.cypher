// Full-text name search. $query is a Lucene query built by the store from
// escaped user input (a quoted phrase), never raw user text.
CALL db.index.fulltext.queryNodes('entity_names', $query)
YIELD node, score
RETURN node, score
LIMIT $limit
