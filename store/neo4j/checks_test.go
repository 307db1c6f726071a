package neo4j_test

import "time"

// checkExplainParams holds representative parameters for the statements
// of checks.go; explainParams merges them.
func checkExplainParams() map[string]map[string]any {
	at := time.Date(2026, 11, 2, 7, 0, 0, 0, time.UTC)
	return map[string]map[string]any{
		"schema_credit_check_id":      nil,
		"schema_credit_check_created": nil,
		"credit_checks_create": {"rows": []any{map[string]any{"id": "chk-1", "created": at, "key_id": "k1", "scenario": "bidding",
			"subject": "enterprise:914403001922038216", "verdict": "clear", "catalogue": "2026.1", "evidence_sha256": "ab", "body": `{}`}}},
		"credit_check_get":    {"id": "chk-1"},
		"credit_check_counts": {"scenario": "", "since": at},
	}
}
