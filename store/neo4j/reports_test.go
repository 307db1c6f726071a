package neo4j_test

import "time"

// reportExplainParams holds representative parameters for the statements
// of reports.go; explainParams merges them.
func reportExplainParams() map[string]map[string]any {
	at := time.Date(2026, 11, 2, 7, 0, 0, 0, time.UTC)
	return map[string]map[string]any{
		"schema_report_id":    nil,
		"schema_watchlist_id": nil,
		"schema_blob_key":     nil,
		"report_save": {"id": "rpt-1", "created": at, "run": "run-2", "against": "run-1", "scope": nil,
			"summary": `{"entered_cd":3}`, "delivery": nil},
		"report_get":      {"id": "rpt-1"},
		"reports_list":    {"limit": int64(20)},
		"report_delivery": {"id": "rpt-1", "delivery": `{"status":"delivered"}`},
		"blob_delete":     {"key": "report:rpt-1"},
		"blob_put":        {"key": "report:rpt-1", "rows": []any{map[string]any{"seq": int64(0), "data": []byte("{}")}}},
		"blob_get":        {"key": "report:rpt-1"},
		"watchlist_save": {"id": "w1", "name": "深圳重点", "owner": "k1", "keys": []string{"914403001922038216"},
			"created": at},
		"watchlist_get":    {"id": "w1"},
		"watchlists_list":  nil,
		"watchlist_delete": {"id": "w1"},
	}
}
