// The database's lineage (store.ChangeFeed.Lineage): a random id made the
// first time it is asked for; emptying the database removes it, so the
// next call makes another.
MERGE (m:Meta {id: 'lineage'})
  ON CREATE SET m.value = randomUUID()
RETURN m.value AS lineage
