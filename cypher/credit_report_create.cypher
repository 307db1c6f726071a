// Create an issued credit report; the constraint on number refuses one
// that exists (an issued report is never replaced). The body is the
// report's canonical JSON as issued.
CREATE (r:CreditReport {number: $number})
SET r.created = $created,
    r.subject = $subject,
    r.key_id = $key_id,
    r.run = $run,
    r.catalogue = $catalogue,
    r.sha256 = $sha256,
    r.body = $body
