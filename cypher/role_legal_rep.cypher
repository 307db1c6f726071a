// One LEGAL_REP_OF per (person, enterprise, title); title is '' when none.
// title_text is the source's free text of the title, null when none;
// match_score the matcher's score when the enterprise was matched, null when not.
UNWIND $rows AS row
MERGE (p:Person {pid: row.person})
  ON CREATE SET p.placeholder = true, p.gen = $gen
MERGE (e:Enterprise {key: row.enterprise})
  ON CREATE SET e.placeholder = true, e.gen = $gen
MERGE (p)-[r:LEGAL_REP_OF {title: row.title}]->(e)
SET r.gen = $gen, r.since = row.since, r.until = row.until, r.title_text = row.title_text,
    r.match_score = row.match_score
