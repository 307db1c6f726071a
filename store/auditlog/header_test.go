package auditlog

import (
	"encoding/json"
	"testing"
)

// decodeHeader reads the range in front of the entries, and the same range
// when the fields come in another order or the entries first.
func TestDecodeHeader(t *testing.T) {
	want := recordHeader{MinID: "a1", MaxID: "b2", MinT: 5, MaxT: 9}
	for _, p := range []string{
		`{"min_id":"a1","max_id":"b2","min_t":5,"max_t":9,"entries":[{"id":"x"}, not even json`,
		`{"max_t":9,"min_t":5,"other":{"x":[1,2]},"max_id":"b2","min_id":"a1"}`,
	} {
		h, err := decodeHeader([]byte(p))
		if err != nil || h != want {
			t.Errorf("decodeHeader(%.40q) = %+v, %v; want %+v", p, h, err, want)
		}
	}
	full, _ := json.Marshal(struct {
		recordHeader
		Entries []int `json:"entries"`
	}{want, []int{1}})
	if h, err := decodeHeader(full); err != nil || h != want {
		t.Errorf("a written record: %+v, %v", h, err)
	}
	if _, err := decodeHeader([]byte(`[1]`)); err == nil {
		t.Error("an array was read as a record")
	}
}
