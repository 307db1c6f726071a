// One issued credit report with its body.
MATCH (r:CreditReport {number: $number})
RETURN properties(r) AS report
