// Upsert administrative licences. A licence is a node of its own, named by
// its enterprise's key and joined to nothing: traversals, the engine's
// scans and its scores never see licences. Its enterprise is created as a
// placeholder when missing. Every property is replaced (null removes it).
UNWIND $rows AS row
MERGE (e:Enterprise {key: row.enterprise})
  ON CREATE SET e.placeholder = true, e.gen = $gen
MERGE (l:Licence {id: row.id})
SET l.enterprise = row.enterprise,
    l.number = row.number,
    l.name = row.name,
    l.doc_no = row.doc_no,
    l.content = row.content,
    l.authority = row.authority,
    l.decided = row.decided,
    l.valid_from = row.valid_from,
    l.valid_to = row.valid_to,
    l.match_score = row.match_score
