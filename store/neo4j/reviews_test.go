package neo4j_test

import "time"

// reviewExplainParams are the representative parameters of the statements
// of reviews.go; explainParams merges them.
func reviewExplainParams() map[string]map[string]any {
	at := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	return map[string]map[string]any{
		"schema_review_id":     nil,
		"schema_review_status": nil,
		"review_queue":         {"rows": []any{map[string]any{"id": "rv-1", "created": at, "doc": "{}"}}},
		"review_get":           {"id": "rv-1"},
		"reviews_by_id":        {"ids": []string{"rv-1", "rv-2"}},
		"reviews_list":         {"status": "pending", "after_created": at, "after_id": "rv-1", "limit": int64(10)},
		"review_decide":        {"id": "rv-1", "status": "accepted", "key": "914403001922038216", "by": "k1", "at": at},
		"review_rows":          {"rows": []any{map[string]any{"id": "rv-1", "doc": "{}"}}},
	}
}
