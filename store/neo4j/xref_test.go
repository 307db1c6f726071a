package neo4j_test

import "time"

// xrefExplainParams are representative parameters of the xref statements
// (xref.go) for TestStatementsExplain.
func xrefExplainParams() map[string]map[string]any {
	at := time.Date(2026, 7, 2, 9, 30, 0, 0, time.UTC)
	row := map[string]any{"id": "xp-0011223344556677", "a": "914403004JURQ283F0", "b": "src:tax:B-0001", "score": 0.97,
		"evidence": `{"name":1}`, "blocks": []string{"core"}, "status": "candidate", "run": "xref-1", "found": at}
	run := map[string]any{"id": "xref-1", "started": at, "finished": nil, "status": "running", "generation": int64(3),
		"params": nil, "summary": nil, "error": nil}
	return map[string]map[string]any{
		"schema_xref_pair_id":     nil,
		"schema_xref_pair_status": nil,
		"schema_xref_run_id":      nil,
		"xref_pairs_add":          {"rows": []any{row}},
		"xref_pair_get":           {"id": "xp-0011223344556677"},
		"xref_pairs_list":         {"status": "candidate", "after": "", "score": 0.0, "limit": int64(100)},
		"xref_pair_lock":          {"id": "xp-0011223344556677"},
		"xref_pair_decide": {"id": "xp-0011223344556677", "status": "confirmed", "by": "key-1", "at": at,
			"atText": "2026-07-02T09:30:00Z", "entry": `{"decision":"confirm"}`},
		"xref_same_as":  nil,
		"xref_run_save": run,
		"xref_run_get":  {"id": "xref-1"},
	}
}
