// The analyzer of an existing name index (IF NOT EXISTS keeps an old one).
SHOW FULLTEXT INDEXES YIELD name, options
WHERE name = 'entity_names'
RETURN options.indexConfig['fulltext.analyzer'] AS analyzer
