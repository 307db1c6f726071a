// Placeholder rows create a missing enterprise, marked placeholder, and never
// touch an existing one.
UNWIND $rows AS row
MERGE (e:Enterprise {key: row.key})
  ON CREATE SET
    e.uscc = row.uscc,
    e.name = row.name,
    e.kind = row.kind,
    e.status = row.status,
    e.capital = row.capital,
    e.currency = row.currency,
    e.established = row.established,
    e.region = row.region,
    e.industry = row.industry,
    e.address = row.address,
    e.phone = row.phone,
    e.email = row.email,
    e.placeholder = true, e.gen = $gen
