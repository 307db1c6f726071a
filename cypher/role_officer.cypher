// One OFFICER_OF per (person, enterprise, title): director, supervisor, manager…
// title_text is the source's free text of the title (董事长 …), null when none;
// it is not part of the identity, so a later text replaces an earlier one.
// match_score is the matcher's score when the enterprise was matched, null when not;
// day_to_day marks the officer who manages day to day (true), null when not.
UNWIND $rows AS row
MERGE (p:Person {pid: row.person})
  ON CREATE SET p.placeholder = true, p.gen = $gen
MERGE (e:Enterprise {key: row.enterprise})
  ON CREATE SET e.placeholder = true, e.gen = $gen
MERGE (p)-[r:OFFICER_OF {title: row.title}]->(e)
SET r.gen = $gen, r.since = row.since, r.until = row.until, r.title_text = row.title_text,
    r.match_score = row.match_score, r.day_to_day = row.day_to_day
