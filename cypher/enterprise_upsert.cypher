// Registration rows replace every registration property: a null (an empty
// value) removes the property, and a real row is no longer a placeholder.
// The engine's risk_* properties are kept. Properties are set one by one,
// not with +=, so the planner needs no Eager barrier and rows stream.
UNWIND $rows AS row
MERGE (e:Enterprise {key: row.key})
SET e.uscc = row.uscc,
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
    e.placeholder = null,
    e.gen = $gen
