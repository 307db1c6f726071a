// Credit checks counted by scenario and verdict; an empty scenario and a
// null since do not filter.
MATCH (c:CreditCheck)
WHERE ($scenario = '' OR c.scenario = $scenario)
  AND ($since IS NULL OR c.created >= $since)
RETURN c.scenario AS scenario, c.verdict AS verdict, count(*) AS n
ORDER BY scenario, verdict
