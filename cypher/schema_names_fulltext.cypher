// Names of enterprises and persons. The cjk analyzer indexes runs of Han
// characters as overlapping bigrams, so a phrase query finds a Chinese name
// by any part of two characters or more; Latin words are lower-cased.
CREATE FULLTEXT INDEX entity_names IF NOT EXISTS
FOR (n:Enterprise|Person) ON EACH [n.name]
OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk', `fulltext.eventually_consistent`: false}}
