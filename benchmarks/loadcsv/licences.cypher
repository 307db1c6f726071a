// LOAD CSV baseline: licences.csv, a Licence node per id naming its enterprise.
LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {
  MERGE (e:Enterprise {key: row.enterprise}) ON CREATE SET e.placeholder = true
  MERGE (l:Licence {id: 'src:bench:' + row.licence_id})
  SET l.enterprise = row.enterprise, l.number = row.number, l.name = row.name, l.doc_no = row.doc_no,
      l.content = row.content, l.authority = row.authority, l.decided = date(row.decided),
      l.valid_from = date(row.valid_from), l.valid_to = date(row.valid_to)
} IN TRANSACTIONS OF 5000 ROWS
