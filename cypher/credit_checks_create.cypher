// Create credit checks; the constraint on id refuses one that exists (a
// check is never replaced). The body is the answer's JSON as sent.
UNWIND $rows AS row
CREATE (c:CreditCheck {id: row.id})
SET c.created = row.created,
    c.key_id = row.key_id,
    c.scenario = row.scenario,
    c.subject = row.subject,
    c.verdict = row.verdict,
    c.catalogue = row.catalogue,
    c.evidence_sha256 = row.evidence_sha256,
    c.body = row.body
