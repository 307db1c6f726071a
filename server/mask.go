package server

import (
	"bytes"
	"encoding/json"
	"strings"

	"riskgraph/auth"
)

// maskJSON hides persons' names in a JSON answer, for the dashboard role.
// Any object that describes a person — a "ref" or "subject" of kind person,
// an "id" or "from"/"to" node id starting with "person:", a "pid" field, or
// "kind": "person" — has its "name" and "label" masked (first character
// kept). Other values are left as they are. A body that is not JSON comes
// back unchanged.
func maskJSON(body []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return body
	}
	if !maskValue(v) {
		return body
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return body
	}
	return bytes.TrimRight(buf.Bytes(), "\n")
}

// maskValue masks in place and reports whether anything changed.
func maskValue(v any) bool {
	changed := false
	switch x := v.(type) {
	case map[string]any:
		if isPerson(x) {
			for _, f := range []string{"name", "label"} {
				if s, ok := x[f].(string); ok && s != "" {
					x[f] = auth.MaskName(s)
					changed = true
				}
			}
		}
		for _, c := range x {
			changed = maskValue(c) || changed
		}
	case []any:
		for _, c := range x {
			changed = maskValue(c) || changed
		}
	}
	return changed
}

func isPerson(m map[string]any) bool {
	if _, ok := m["pid"]; ok {
		return true
	}
	if k, _ := m["kind"].(string); k == "person" {
		return true
	}
	for _, f := range []string{"ref", "subject", "holder"} {
		if r, ok := m[f].(map[string]any); ok {
			if k, _ := r["kind"].(string); k == "person" {
				return true
			}
		}
	}
	if id, _ := m["id"].(string); strings.HasPrefix(id, "person:") {
		return true
	}
	return false
}
