// LOAD CSV baseline: enterprises.csv, the same properties as enterprise_upsert.cypher.
// Empty CSV fields are null in LOAD CSV.
LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {
  MERGE (e:Enterprise {key: coalesce(row.uscc, row.id)})
  SET e.uscc = row.uscc, e.name = row.name, e.kind = row.kind, e.status = row.status,
      e.capital = toFloat(row.capital), e.currency = row.currency, e.established = date(row.established),
      e.region = coalesce(row.region, substring(row.uscc, 2, 6)), e.industry = row.industry,
      e.address = row.address, e.phone = row.phone, e.email = toLower(row.email), e.placeholder = null
} IN TRANSACTIONS OF 5000 ROWS
