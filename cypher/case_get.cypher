// One case file with its view.
MATCH (c:Case {id: $id})
RETURN properties(c) AS case_file
