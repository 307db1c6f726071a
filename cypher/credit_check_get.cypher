// One credit check with its body.
MATCH (c:CreditCheck {id: $id})
RETURN properties(c) AS check
