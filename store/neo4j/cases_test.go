package neo4j_test

import "time"

// caseExplainParams holds representative parameters for the statements
// of cases.go; explainParams merges them.
func caseExplainParams() map[string]map[string]any {
	at := time.Date(2026, 11, 3, 8, 0, 0, 0, time.UTC)
	row := map[string]any{"id": "case-1", "title": "t", "notes": "", "entities": []any{"enterprise:914403001922038216"},
		"view": `{"mode":"network","nodes":[],"edges":[]}`, "nodes": 0, "created_by": "k1", "updated_by": "k1",
		"created": at, "updated": at, "version": 1, "archived": nil}
	return map[string]map[string]any{
		"schema_case_id": nil,
		"case_create":    row,
		"case_get":       {"id": "case-1"},
		"case_update":    row,
		"cases_list":     {"archived": false, "created_by": "", "offset": 0, "limit": 20},
	}
}
