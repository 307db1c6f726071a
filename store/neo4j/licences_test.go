package neo4j_test

import (
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// licenceExplainParams holds representative parameters for the statements
// of licences.go; explainParams merges them.
func licenceExplainParams() map[string]map[string]any {
	at := time.Date(2026, 11, 2, 7, 0, 0, 0, time.UTC)
	day := driver.DateOf(time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC))
	return map[string]map[string]any{
		"schema_licence_id":           nil,
		"schema_licence_enterprise":   nil,
		"schema_credit_report_number": nil,
		"licence_upsert": {"rows": []any{map[string]any{"id": "lic-1", "enterprise": "914403001922038216", "number": "JY1", "name": "食品经营许可证",
			"doc_no": nil, "content": "预包装食品销售", "authority": "南山监管局", "decided": day, "valid_from": day, "valid_to": nil, "match_score": nil}}},
		"licences_of_enterprise": {"key": "914403001922038216"},
		"credit_report_create": {"number": "CR-1", "created": at, "subject": "enterprise:914403001922038216", "key_id": "k1",
			"run": "run-1", "catalogue": "2026.1", "sha256": "ab", "body": `{}`},
		"credit_report_get": {"number": "CR-1"},
	}
}
