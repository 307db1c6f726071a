package neo4j_test

import (
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// ownerExplainParams are representative parameters of the statements the
// beneficial-owner rules added (controls); explainParams merges them.
func ownerExplainParams() map[string]map[string]any {
	day := driver.DateOf(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC))
	row := map[string]any{"controller": "0a1b", "enterprise": "914403001922038216", "basis": "acting_in_concert",
		"group": "g1", "note": "一致行动协议", "since": day, "until": nil}
	return map[string]map[string]any{
		"control_by_person":     {"rows": []any{row}},
		"control_by_enterprise": {"rows": []any{row}},
	}
}
