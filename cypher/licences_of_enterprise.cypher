// The licences of one enterprise.
MATCH (l:Licence {enterprise: $key})
RETURN properties(l) AS licence
