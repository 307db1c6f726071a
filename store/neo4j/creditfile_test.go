package neo4j_test

import "time"

// fileExplainParams holds representative parameters for the statements
// of creditfile.go; explainParams merges them.
func fileExplainParams() map[string]map[string]any {
	at := time.Date(2026, 11, 2, 7, 0, 0, 0, time.UTC)
	return map[string]map[string]any{
		"schema_commitment_id":      nil,
		"schema_commitment_subject": nil,
		"schema_objection_id":       nil,
		"schema_objection_record":   nil,
		"schema_repair_id":          nil,
		"schema_repair_record":      nil,
		"commitment_create":         {"id": "cm-1", "subject": "enterprise:914403001922038216", "date": "2026-01-01", "body": `{}`},
		"commitments_list":          {"subject": ""},
		"objection_create":          {"id": "ob-1", "record_id": "r1", "filed": at, "body": `{}`},
		"objection_lock":            {"id": "ob-1"},
		"objection_decide":          {"id": "ob-1", "status": "upheld", "body": `{}`},
		"repair_create":             {"id": "rp-1", "record_id": "r1", "body": `{}`},
		"record_file_objections":    {"ids": []string{"r1"}},
		"record_file_repairs":       {"ids": nil},
	}
}
